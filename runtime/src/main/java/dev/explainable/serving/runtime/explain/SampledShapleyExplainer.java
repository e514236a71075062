package dev.explainable.serving.runtime.explain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import dev.explainable.serving.runtime.work.LimitExceededException;
import dev.explainable.serving.runtime.model.ServingModel.ExplainedInput;
import dev.explainable.serving.runtime.model.ServingModel.ExplainedOutput;
import dev.explainable.serving.runtime.tensor.HostTensor;

/**
 * Sampled Shapley over input features: every element of an explained input is a player, except that inputs
 * sharing a metadata {@code group_name} act as one player (its credit is spread evenly over their elements).
 * {@code paths} permutations per baseline set; all path points of a request are evaluated in batches.
 */
public final class SampledShapleyExplainer implements Explainer {

    /** More players make the method impractical (paths * (players + 1) evaluations); IG or XRAI fit images. */
    public static final int MAX_PLAYERS = 2000;

    private final ModelRunner runner;
    private final int paths;
    private final int batchSize;
    private final long seed;

    public SampledShapleyExplainer(ModelRunner runner, int paths, int batchSize, long seed) {
        if (paths < 1) {
            throw new IllegalArgumentException("paths must be >= 1, got " + paths);
        }
        this.runner = runner;
        this.paths = paths;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    /** A player: the (input, element) cells it switches. */
    record Player(int[] inputs, int[] elements) {
    }

    static List<Player> players(List<ExplainedInput> inputs, Instance instance) {
        List<Player> players = new ArrayList<>();
        Map<String, List<int[]>> groups = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            int size = instance.explainedValues().get(inputs.get(i).key()).size();
            String group = inputs.get(i).metadata().groupName();
            if (group != null) {
                List<int[]> cells = groups.computeIfAbsent(group, g -> new ArrayList<>());
                for (int e = 0; e < size; e++) {
                    cells.add(new int[] {i, e});
                }
            } else {
                for (int e = 0; e < size; e++) {
                    players.add(new Player(new int[] {i}, new int[] {e}));
                }
            }
        }
        for (List<int[]> cells : groups.values()) {
            players.add(new Player(cells.stream().mapToInt(c -> c[0]).toArray(), cells.stream().mapToInt(c -> c[1]).toArray()));
        }
        return players;
    }

    private static void checkPlayers(long players) {
        if (players > MAX_PLAYERS) {
            throw new LimitExceededException("sampled-shapley: the inputs have " + players + " features, at most "
                    + MAX_PLAYERS + " are supported; group inputs with group_name or use integrated-gradients or xrai");
        }
    }

    @Override
    public long evaluations(Instance instance) {
        long players = players(runner.model().explainedInputs(), instance).size();
        checkPlayers(players);
        long sets = Baselines.sets(Baselines.perInput(runner.model(), instance)).size();
        return sets * paths * (players + 1) * runner.model().explainedOutputs().size();
    }

    @Override
    public Explanation explain(Instance instance) {
        List<ExplainedInput> inputs = runner.model().explainedInputs();
        List<Player> players = players(inputs, instance);
        checkPlayers(players.size());
        List<Map<String, float[]>> baselineSets = Baselines.sets(Baselines.perInput(runner.model(), instance));
        List<AttributionByLabel> byLabel = new ArrayList<>();
        for (ExplainedOutput o : runner.model().explainedOutputs()) {
            byLabel.add(explainOutput(instance, o, inputs, players, baselineSets));
        }
        return new Explanation(byLabel);
    }

    private AttributionByLabel explainOutput(Instance instance, ExplainedOutput output, List<ExplainedInput> inputs,
            List<Player> players, List<Map<String, float[]>> baselineSets) {
        ModelRunner.Target target = ModelRunner.target(instance, output);
        int nPlayers = players.size();
        int perPath = nPlayers + 1;
        // The same permutations for every output and baseline set: reproducible answers for the same request.
        SplittableRandom random = new SplittableRandom(seed);
        int[][] orders = new int[paths][];
        for (int p = 0; p < paths; p++) {
            orders[p] = SampledShapley.permutation(nPlayers, random);
        }
        int sets = baselineSets.size();
        int total = sets * paths * perPath;
        float[] scores = new float[total];
        int batch = runner.pointsPerRun(batchSize, runner.explainedElements(instance));
        for (int start = 0; start < total; start += batch) {
            int n = Math.min(batch, total - start);
            Map<String, float[]> points = new LinkedHashMap<>();
            List<float[]> buffers = new ArrayList<>();
            for (ExplainedInput in : inputs) {
                float[] buf = new float[n * instance.explainedValues().get(in.key()).size()];
                points.put(in.key(), buf);
                buffers.add(buf);
            }
            for (int q = 0; q < n; q++) {
                int point = start + q;
                int k = point / (paths * perPath);
                int p = (point / perPath) % paths;
                int j = point % perPath;
                for (int i = 0; i < inputs.size(); i++) {
                    float[] b = baselineSets.get(k).get(inputs.get(i).key());
                    System.arraycopy(b, 0, buffers.get(i), q * b.length, b.length);
                }
                for (int s = 0; s < j; s++) {
                    Player player = players.get(orders[p][s]);
                    for (int c = 0; c < player.inputs().length; c++) {
                        int i = player.inputs()[c];
                        int e = player.elements()[c];
                        float[] x = instance.explainedValues().get(inputs.get(i).key()).floats();
                        buffers.get(i)[q * x.length + e] = x[e];
                    }
                }
            }
            float[] s = runner.evaluate(instance, output, target, points, n, false).scores();
            System.arraycopy(s, 0, scores, start, n);
        }

        double[] sum = new double[nPlayers];
        double[] sumSq = new double[nPlayers];
        double base = 0;
        double example = 0;
        for (int k = 0; k < sets; k++) {
            for (int p = 0; p < paths; p++) {
                int off = (k * paths + p) * perPath;
                float[] pathScores = java.util.Arrays.copyOfRange(scores, off, off + perPath);
                double[] c = SampledShapley.credits(orders[p], pathScores);
                for (int i = 0; i < nPlayers; i++) {
                    sum[i] += c[i] / sets;
                    sumSq[i] += c[i] * c[i] / sets;
                }
            }
            base += scores[k * paths * perPath] / (double) sets;
            example += scores[k * paths * perPath + nPlayers] / (double) sets;
        }

        Map<String, Object> attributions = new LinkedHashMap<>();
        List<double[]> perInput = new ArrayList<>();
        for (ExplainedInput in : inputs) {
            perInput.add(new double[instance.explainedValues().get(in.key()).size()]);
        }
        for (int i = 0; i < nPlayers; i++) {
            Player player = players.get(i);
            double value = sum[i] / paths / player.inputs().length;
            for (int c = 0; c < player.inputs().length; c++) {
                perInput.get(player.inputs()[c])[player.elements()[c]] += value;
            }
        }
        for (int i = 0; i < inputs.size(); i++) {
            HostTensor x = instance.explainedValues().get(inputs.get(i).key());
            attributions.put(inputs.get(i).key(), new AttributionMap(perInput.get(i), x.shape()));
        }
        return new AttributionByLabel(SampledShapley.approxError(sum, sumSq, paths, example - base), attributions, base,
                example, target.labelIndex(), target.labelName(), output.key());
    }
}
