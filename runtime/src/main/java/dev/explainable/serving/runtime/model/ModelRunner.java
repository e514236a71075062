package dev.explainable.serving.runtime.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.tensorflow.Output;

import dev.explainable.serving.runtime.explain.ScoreFunction;
import dev.explainable.serving.runtime.tensor.DType;
import dev.explainable.serving.runtime.tensor.HostTensor;
import dev.explainable.serving.runtime.tensor.SparseSpec;
import dev.explainable.serving.runtime.tensor.SparseTensors;
import dev.explainable.serving.runtime.tensor.TensorSpec;
import dev.explainable.serving.runtime.work.LimitExceededException;
import dev.explainable.serving.runtime.work.ResourceExhaustedException;

/**
 * The model's runs, in batches bounded by explain.limits.max-batch-elements: predictions, the forward run of a
 * request's instances, and the explained score of one instance's output as the {@link ScoreFunction} that
 * attribution methods see. Which labels are explained is {@link LabelTargets}' to say.
 */
public final class ModelRunner {

    /**
     * Most runs of one explanation's points handed in at once (on a CPU; one at a time on a GPU). Two: on 2 cores two
     * runs at once of half the points each are 1.2-1.3x as fast as one after the other (MobileNetV2); each more
     * holds another run's points, gradients and their copies (16-28 bytes a value of max-batch-elements, against the
     * 300 an explanation is counted for) for a gain not measured, and three at once was slower. How many runs
     * execute at once is still explain.batching.concurrent-runs'.
     */
    static final int CALLS_AT_ONCE = 2;

    private final ServingModel model;
    private final long maxBatchElements;
    /** Where runs go: shared with other requests' runs, or null to run each alone. */
    private final SharedRuns shared;
    /** The rows a run may take as the device's memory allows (shared with {@code shared}). */
    private final RowLimit rowLimit;
    /** Runs of one explanation's points handed in at once: fixed by the model's devices and the shared runs. */
    private final int callsAtOnce;

    public ModelRunner(ServingModel model) {
        this(model, Long.MAX_VALUE, null, new RowLimit());
    }

    /**
     * @param maxBatchElements most input values fed in one TensorFlow run (explain.limits.max-batch-elements)
     * @param shared the model's shared runs (cross-request batching), or null to run each request's batches alone
     */
    public ModelRunner(ServingModel model, long maxBatchElements, SharedRuns shared, RowLimit rowLimit) {
        this.model = model;
        this.maxBatchElements = maxBatchElements;
        this.shared = shared;
        this.rowLimit = rowLimit;
        this.callsAtOnce = joinsRuns() && !onGpu() ? Math.min(CALLS_AT_ONCE, shared.concurrentRuns()) : 1;
    }

    /** The rows one run may take, lowered when TensorFlow runs out of memory. */
    public RowLimit rowLimit() {
        return rowLimit;
    }

    /** The model's shared runs, or null when each request runs alone (explain.batching.enabled=false). */
    public SharedRuns sharedRuns() {
        return shared;
    }

    private List<HostTensor> run(Map<Output<?>, HostTensor> feeds, List<Output<?>> fetches, int rows) {
        return joinsRuns() ? shared.run(feeds, fetches, rows) : model.run(feeds, fetches);
    }

    /**
     * True when the model's session has a GPU: its runs are the device's, not the cores', and two of one request at
     * once would contend for its memory, where running out lowers the model's rows for good ({@link RowLimit}).
     */
    private boolean onGpu() {
        List<TensorFlowDevices.Device> devices = model.devices();
        return devices != null && devices.stream().anyMatch(d -> d.type().equals("GPU"));
    }

    /**
     * True when runs go through the shared runs, which bound how many run at once: else each run is the
     * request's own (sparse inputs are fed as one flat list of values per run, not per row: never joined).
     */
    private boolean joinsRuns() {
        return shared != null && model.signature().sparseInputs().isEmpty();
    }

    /**
     * How many points of {@code elementsPerPoint} values one run may take: {@code batchSize}, fewer where the
     * element cap says so. Refuses a single point over the cap, which no batch size could run.
     */
    public int pointsPerRun(int batchSize, long elementsPerPoint) {
        long e = Math.max(1, elementsPerPoint);
        if (e > maxBatchElements) {
            throw new LimitExceededException("one instance has " + e + " input values, more than the "
                    + maxBatchElements + " one model run may take (explain.limits.max-batch-elements)");
        }
        return (int) Math.max(1, Math.min(batchSize, maxBatchElements / e));
    }

    /** The values of the explained inputs of one instance: what each path point or perturbation feeds. */
    public long explainedElements(ForwardResult instance) {
        long n = 0;
        for (HostTensor t : instance.explainedValues().values()) {
            n += t.size();
        }
        return n;
    }

    /**
     * Consecutive instances that can share a run: the same shape for every input, and together within the element
     * cap. Instances of a free-size model may differ in size; each group is stacked and run on its own.
     */
    List<List<Integer>> runGroups(List<Map<String, HostTensor>> instances) {
        List<List<Integer>> groups = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        long elements = 0;
        for (int i = 0; i < instances.size(); i++) {
            long size = 0;
            for (HostTensor t : instances.get(i).values()) {
                size += Math.max(1, t.size());
            }
            pointsPerRun(1, size);
            boolean fits = !current.isEmpty()
                    && elements + size <= maxBatchElements
                    && sameShapes(instances.get(current.get(0)), instances.get(i));
            if (!current.isEmpty() && !fits) {
                groups.add(current);
                current = new ArrayList<>();
                elements = 0;
            }
            current.add(i);
            elements += size;
        }
        if (!current.isEmpty()) {
            groups.add(current);
        }
        return groups;
    }

    /**
     * True when two instances can share a run: every dense input of the same shape, every sparse input of the same
     * dense shape (their numbers of stored values may differ).
     */
    private boolean sameShapes(Map<String, HostTensor> a, Map<String, HostTensor> b) {
        for (Map.Entry<String, HostTensor> e : a.entrySet()) {
            HostTensor other = b.get(e.getKey());
            SparseSpec sparse = model.signature().sparsePart(e.getKey());
            if (other == null) {
                return false;
            }
            if (sparse == null
                    ? !Arrays.equals(e.getValue().shape(), other.shape())
                    : e.getKey().equals(sparse.denseShapeKey())
                            && !Arrays.equals((long[]) e.getValue().data(), (long[]) other.data())) {
                return false;
            }
        }
        return true;
    }

    private Map<Output<?>, HostTensor> signatureFeeds(List<Map<String, HostTensor>> instances, List<Integer> group) {
        Map<Output<?>, HostTensor> feeds = new LinkedHashMap<>();
        for (TensorSpec s : model.signature().signatureInputs()) {
            List<HostTensor> column = new ArrayList<>();
            group.forEach(i -> column.add(instances.get(i).get(s.key())));
            SparseSpec sparse = model.signature().sparsePart(s.key());
            HostTensor batch;
            if (sparse == null) {
                batch = HostTensor.stack(column);
            } else if (s.key().equals(sparse.indicesKey())) {
                batch = SparseTensors.batchIndices(column);
            } else if (s.key().equals(sparse.denseShapeKey())) {
                batch = SparseTensors.batchShape(column.get(0), column.size()); // the same in a run group
            } else {
                batch = SparseTensors.concat(column);
            }
            feeds.put(model.graphTensor(s.tensorName()), batch);
        }
        return feeds;
    }

    /** The signature's outputs per instance (predict), in instance order. */
    public List<Map<String, HostTensor>> predict(List<Map<String, HostTensor>> instances) {
        return predict(instances, model.signature().signatureOutputs().keySet());
    }

    /** The signature outputs {@code keys} per instance (an example set's embeddings: the latent output alone). */
    public List<Map<String, HostTensor>> predict(List<Map<String, HostTensor>> instances, Collection<String> keys) {
        Map<String, String> outputs = new LinkedHashMap<>();
        for (String key : keys) {
            String tensor = model.signature().signatureOutputs().get(key);
            if (tensor == null) {
                throw new IllegalArgumentException("no signature output '" + key + "'");
            }
            outputs.put(key, tensor);
        }
        List<Output<?>> fetches =
                outputs.values().stream().<Output<?>>map(model::graphTensor).toList();
        List<Map<String, HostTensor>> out = new ArrayList<>(Collections.nCopies(instances.size(), null));
        for (List<Integer> group : runGroups(instances)) {
            List<HostTensor> results = run(signatureFeeds(instances, group), fetches, group.size());
            for (int g = 0; g < group.size(); g++) {
                Map<String, HostTensor> row = new LinkedHashMap<>();
                int k = 0;
                for (String key : outputs.keySet()) {
                    row.put(key, results.get(k++).item(g));
                }
                out.set(group.get(g), row);
            }
        }
        return out;
    }

    /** Decoded instances (by signature input key) -> explained values and outputs, in forward runs. */
    public List<ForwardResult> forward(List<Map<String, HostTensor>> instances) {
        List<Output<?>> fetches = new ArrayList<>();
        List<ExplainedInput> internal = model.explainedInputs().stream()
                .filter(e -> !e.info().isSignatureInput())
                .toList();
        internal.forEach(e -> fetches.add(e.tensor()));
        model.explainedOutputs().forEach(o -> fetches.add(o.tensor()));
        List<ForwardResult> out = new ArrayList<>(Collections.nCopies(instances.size(), null));
        for (List<Integer> group : runGroups(instances)) {
            List<HostTensor> results = run(signatureFeeds(instances, group), fetches, group.size());
            for (int g = 0; g < group.size(); g++) {
                Map<String, HostTensor> signature = instances.get(group.get(g));
                Map<String, HostTensor> explained = new LinkedHashMap<>();
                int r = 0;
                for (ExplainedInput e : model.explainedInputs()) {
                    explained.put(
                            e.key(),
                            e.info().isSignatureInput()
                                    ? signature.get(e.info().signatureKey())
                                    : results.get(r++).item(g));
                }
                Map<String, HostTensor> outputs = new LinkedHashMap<>();
                for (ExplainedOutput o : model.explainedOutputs()) {
                    outputs.put(o.key(), results.get(r++).item(g));
                }
                out.set(group.get(g), new ForwardResult(signature, explained, outputs));
            }
        }
        return out;
    }

    /**
     * The explained score of {@code output} for {@code instance} (the label {@code target} selects) as attribution
     * methods see it: at most {@code batchSize} points per run, fewer where the element cap says so. Signature
     * inputs that are not explained keep the instance's value.
     */
    public ScoreFunction scoreFunction(
            ForwardResult instance, OutputInfo explained, LabelTarget target, int batchSize) {
        ExplainedOutput output = explainedOutput(explained);
        int perRun = pointsPerRun(batchSize, explainedElements(instance));
        PointRun once = (points, n, withGradients) -> evaluate(instance, output, target, points, n, withGradients);
        return new ScoreFunction() {
            @Override
            public Scores at(List<float[]> points, int n, boolean withGradients) {
                return fitted(once, points, n, withGradients);
            }

            @Override
            public int maxPointsPerCall() {
                return Math.min(perRun, rowLimit.get());
            }

            @Override
            public List<Scores> atEach(List<List<float[]>> points, int[] n, boolean withGradients) {
                List<Supplier<Scores>> calls = new ArrayList<>(points.size());
                for (int c = 0; c < points.size(); c++) {
                    List<float[]> p = points.get(c);
                    int count = n[c];
                    calls.add(() -> fitted(once, p, count, withGradients));
                }
                return ConcurrentCalls.all(calls);
            }

            @Override
            public int concurrentCalls() {
                return callsAtOnce;
            }
        };
    }

    /**
     * True when runs of this model can choose an explained output's top class themselves
     * ({@link #topClassScores}): every explained input is a dense signature input (the instance's row is then its
     * signature values), and the model was loaded with the choice's ops.
     */
    public boolean runsChooseTopClass() {
        return model.signature().sparseInputs().isEmpty()
                && model.explainedInputs().stream().allMatch(e -> e.info().isSignatureInput())
                && model.explainedOutputs().stream()
                        .allMatch(o -> o.choosesLabels() || o.info().shape().length == 0);
    }

    /**
     * A decoded instance as the explanation of its top class needs it without a forward run
     * ({@link #runsChooseTopClass}): its signature values, which are also its explained values; no outputs.
     */
    public ForwardResult unrun(Map<String, HostTensor> instance) {
        Map<String, HostTensor> explained = new LinkedHashMap<>();
        for (ExplainedInput e : model.explainedInputs()) {
            explained.put(e.key(), instance.get(e.info().signatureKey()));
        }
        return new ForwardResult(instance, explained, Map.of());
    }

    /**
     * The explained score of {@code explained}'s top class for {@code instance}, the class chosen by the
     * explanation's first run ({@link TopClassScores}); a vector output of a model whose
     * {@link #runsChooseTopClass runs choose it}.
     */
    public TopClassScores topClassScores(ForwardResult instance, OutputInfo explained, int batchSize) {
        if (!runsChooseTopClass()) {
            throw new IllegalStateException("this model's runs cannot choose the top class (runsChooseTopClass)");
        }
        ExplainedOutput output = explainedOutput(explained);
        if (!output.choosesLabels()) {
            throw new IllegalArgumentException("output '" + explained.key() + "' has one label: nothing to choose");
        }
        return new TopClassScores(this, instance, output, batchSize);
    }

    /** Rows a run of {@code batchSize} points of {@code instance} may take now: the cap and the row limit's. */
    int rowsPerRun(ForwardResult instance, int batchSize) {
        return Math.min(pointsPerRun(batchSize, explainedElements(instance)), rowLimit.get());
    }

    /** Runs of one explanation's points handed in at once ({@link ScoreFunction#concurrentCalls}). */
    int callsAtOnce() {
        return callsAtOnce;
    }

    private ExplainedOutput explainedOutput(OutputInfo explained) {
        return model.explainedOutputs().stream()
                .filter(o -> o.key().equals(explained.key()))
                .findFirst()
                .orElseThrow(
                        () -> new IllegalArgumentException("the model explains no output '" + explained.key() + "'"));
    }

    /** One run of points: their scores, and where asked their gradients. */
    @FunctionalInterface
    private interface PointRun {
        ScoreFunction.Scores at(List<float[]> points, int n, boolean withGradients);
    }

    /**
     * The scores of {@code n} points in runs of at most the row limit's rows. A run that runs out of memory lowers
     * the limit to half its rows and is run again as two halves; only a single point that does not fit fails.
     */
    private ScoreFunction.Scores fitted(PointRun once, List<float[]> points, int n, boolean withGradients) {
        int rows = rowLimit.get();
        if (n <= rows) {
            try {
                return once.at(points, n, withGradients);
            } catch (ResourceExhaustedException e) {
                if (n < 2) {
                    throw e;
                }
                rowLimit.ranOutOfMemoryAt(n);
                rows = (n + 1) / 2;
            }
        }
        return inParts(once, points, n, rows, withGradients);
    }

    /** The scores of {@code n} points, {@code rows} at a time (each part fitted again), written into one answer. */
    private ScoreFunction.Scores inParts(PointRun once, List<float[]> points, int n, int rows, boolean withGradients) {
        float[] values = new float[n];
        float[][] gradients = null;
        for (int from = 0; from < n; from += rows) {
            int count = Math.min(rows, n - from);
            List<float[]> part = new ArrayList<>(points.size());
            for (float[] p : points) {
                int perPoint = p.length / n;
                part.add(Arrays.copyOfRange(p, from * perPoint, (from + count) * perPoint));
            }
            ScoreFunction.Scores s = fitted(once, part, count, withGradients);
            System.arraycopy(s.values(), 0, values, from, count);
            if (gradients == null) {
                gradients = new float[s.gradients().length][];
            }
            for (int i = 0; i < gradients.length; i++) {
                int perPoint = s.gradients()[i].length / count;
                if (gradients[i] == null) {
                    gradients[i] = new float[n * perPoint];
                }
                System.arraycopy(s.gradients()[i], 0, gradients[i], from * perPoint, count * perPoint);
            }
        }
        return new ScoreFunction.Scores(values, gradients);
    }

    private ScoreFunction.Scores evaluate(
            ForwardResult instance,
            ExplainedOutput output,
            LabelTarget target,
            List<float[]> points,
            int n,
            boolean withGradients) {
        return evaluate(instance, output, target, points, n, withGradients, false)
                .scores();
    }

    /** The scores of a run, and the label it chose for the instance ({@code -1} where the label was given). */
    record ChosenScores(ScoreFunction.Scores scores, int label) {}

    /**
     * A run of {@code n} points of {@code instance}'s explanation of {@code output}'s top class that chooses the class
     * itself ({@link TopClassScores}): the instance goes in as one more row, every point explains that row's top
     * class, and the scores come back without it. {@code n} may be 0: the instance alone, forward only.
     */
    ChosenScores evaluateChoosing(
            ForwardResult instance, ExplainedOutput output, List<float[]> points, int n, boolean withGradients) {
        return evaluate(instance, output, null, points, n, withGradients, true);
    }

    private ChosenScores evaluate(
            ForwardResult instance,
            ExplainedOutput output,
            LabelTarget target,
            List<float[]> points,
            int n,
            boolean withGradients,
            boolean choose) {
        int rows = choose ? n + 1 : n;
        Map<Output<?>, HostTensor> feeds = new LinkedHashMap<>();
        List<ExplainedInput> explained = model.explainedInputs();
        for (int i = 0; i < explained.size(); i++) {
            ExplainedInput in = explained.get(i);
            HostTensor value = instance.explainedValues().get(in.key());
            long[] shape = value.shape();
            // a sparse input's values: one flat list for all points, each point a row of the batch
            long[] pointsShape =
                    in.info().sparse() != null ? new long[] {n * HostTensor.elements(shape)} : prepend(rows, shape);
            float[] fed = points.get(i);
            if (choose) { // the instance itself, after the points
                int size = value.size();
                fed = Arrays.copyOf(fed, rows * size);
                System.arraycopy(value.floats(), 0, fed, n * size, size);
            }
            feeds.put(in.tensor(), HostTensor.floats(pointsShape, fed));
        }
        for (TensorSpec s : model.signature().signatureInputs()) {
            boolean isExplained =
                    explained.stream().anyMatch(e -> s.key().equals(e.info().signatureKey()));
            if (isExplained) {
                continue;
            }
            HostTensor value = instance.signatureValues().get(s.key());
            SparseSpec sparse = model.signature().sparsePart(s.key());
            HostTensor copies;
            if (sparse == null) {
                copies = HostTensor.stack(Collections.nCopies(rows, value));
            } else if (s.key().equals(sparse.indicesKey())) {
                copies = SparseTensors.repeatIndices(value, n);
            } else if (s.key().equals(sparse.denseShapeKey())) {
                copies = SparseTensors.batchShape(value, n);
            } else {
                copies = SparseTensors.concat(Collections.nCopies(n, value));
            }
            feeds.put(model.graphTensor(s.tensorName()), copies);
        }
        // one mask row per point: points of requests explaining different labels can share a run
        HostTensor mask = choose
                ? HostTensor.floats(
                        prepend(rows, output.info().shape()),
                        new float[rows * (int) HostTensor.elements(output.info().shape())])
                : HostTensor.stack(Collections.nCopies(n, target.mask()));
        feeds.put(output.mask().asOutput(), mask);
        if (output.choosesLabels()) {
            // per row: how many rows on lies the row whose top class it explains (the last), and whether it does
            int[] source = new int[rows];
            float[] chosen = new float[rows];
            if (choose) {
                for (int r = 0; r < rows; r++) {
                    source[r] = n - r;
                    chosen[r] = 1f;
                }
            }
            feeds.put(output.labelSource().asOutput(), new HostTensor(DType.INT32, new long[] {rows}, source));
            feeds.put(output.labelChosen().asOutput(), HostTensor.floats(new long[] {rows}, chosen));
        }
        List<Output<?>> fetches = new ArrayList<>();
        fetches.add(output.target());
        if (withGradients && output.gradients().length != explained.size()) {
            throw new IllegalStateException("the model was loaded without gradient ops");
        }
        if (withGradients) {
            fetches.addAll(Arrays.asList(output.gradients()));
        }
        if (choose) {
            fetches.add(output.topLabel());
        }
        List<HostTensor> results = run(feeds, fetches, rows);
        float[][] grads = new float[withGradients ? explained.size() : 0][];
        for (int i = 0; i < grads.length; i++) {
            grads[i] = firstRows(results.get(1 + i).floats(), n, rows);
        }
        float[] values = firstRows(results.get(0).floats(), n, rows);
        int label = choose ? (int) ((long[]) results.get(results.size() - 1).data())[n] : -1;
        return new ChosenScores(new ScoreFunction.Scores(values, grads), label);
    }

    /** The first {@code n} of {@code rows} equal rows of {@code values}. */
    private static float[] firstRows(float[] values, int n, int rows) {
        return n == rows ? values : Arrays.copyOf(values, values.length / rows * n);
    }

    static long[] prepend(long n, long[] shape) {
        long[] s = new long[shape.length + 1];
        s[0] = n;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }
}
