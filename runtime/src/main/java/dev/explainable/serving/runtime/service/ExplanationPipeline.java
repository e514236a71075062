package dev.explainable.serving.runtime.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.runtime.config.MethodOptions;
import dev.explainable.serving.runtime.config.RuntimeOptions.RequestLimits;
import dev.explainable.serving.runtime.explain.Attribution;
import dev.explainable.serving.runtime.explain.Baselines;
import dev.explainable.serving.runtime.explain.ExplainedInstance;
import dev.explainable.serving.runtime.explain.Explainer;
import dev.explainable.serving.runtime.explain.InputValues;
import dev.explainable.serving.runtime.explain.ScoreFunction;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.model.ForwardResult;
import dev.explainable.serving.runtime.model.InputInfo;
import dev.explainable.serving.runtime.model.LabelSelection;
import dev.explainable.serving.runtime.model.LabelTarget;
import dev.explainable.serving.runtime.model.LabelTargets;
import dev.explainable.serving.runtime.model.ModelRunner;
import dev.explainable.serving.runtime.model.ModelSignature;
import dev.explainable.serving.runtime.model.OutputInfo;
import dev.explainable.serving.runtime.model.RowLimit;
import dev.explainable.serving.runtime.model.SharedRuns;
import dev.explainable.serving.runtime.model.TopClassScores;
import dev.explainable.serving.runtime.result.Explanation;
import dev.explainable.serving.runtime.result.LabelAttribution;
import dev.explainable.serving.runtime.tensor.HostTensor;
import dev.explainable.serving.runtime.tensor.InstanceDecoder;
import dev.explainable.serving.runtime.tensor.SparseTensors;
import dev.explainable.serving.runtime.visualization.ExplanationRenderer;
import dev.explainable.serving.runtime.visualization.VisualizationConfig;
import dev.explainable.serving.runtime.work.InvalidInstanceException;
import dev.explainable.serving.runtime.work.InvalidRequestException;
import dev.explainable.serving.runtime.work.LimitExceededException;
import dev.explainable.serving.runtime.work.Spans;

/**
 * One request's way through the model: decode the JSON instances, run them forward, check the work they would
 * cause against the limits, explain each explained output with the configured method (or the request's variant of
 * it, {@link ExplainerFactory#forRequest}), and give each input's attributions the form its metadata asks for.
 * Predictions take the first two steps. Thread-safe: requests share one pipeline.
 *
 * <p>One entry point: {@link #explain(List, ExplainOptions)} ({@link #explainAndPredict} keeps the predictions of the
 * same decode). The model is seen through its {@link ModelSignature} and its {@link ModelRunner}, never through
 * TensorFlow handles.
 */
public final class ExplanationPipeline {

    /**
     * The work bound's price of multiply-adds spent on the host (Blur IG's blurs), in input values: this many count
     * as one value the model evaluates. At the 1.3 to 2 billion multiply-adds a core does per second, a request
     * whose whole bound (10^9 by default) went to blurring takes 30 to 50 s of a core: within the 60 s deadline.
     */
    static final long MULTIPLY_ADDS_PER_VALUE = 64;

    /** The index {@link #warmUp(ForwardResult)} explains at: the warm-up, no request's instance. */
    private static final int WARM_UP = -1;

    private final ModelSignature model;
    private final ModelRunner runner;
    private final InstanceDecoder decoder;
    private final ExplainerFactory explainers;
    private final MethodOptions options;
    private final ExplanationRenderer renderer;
    private final int batchSize;
    private final RequestLimits limits;
    private final LatentSpace latent;
    private final ExampleNeighbors examples;

    /** {@code examples}: the model's example-based explanations, or null when it explains by attributions. */
    ExplanationPipeline(
            ModelSignature model,
            ModelRunner runner,
            InstanceDecoder decoder,
            ExplainerFactory explainers,
            MethodOptions options,
            ExplanationRenderer renderer,
            int batchSize,
            RequestLimits limits,
            ExampleNeighbors examples) {
        this.latent = LatentSpace.of(model, runner, decoder);
        this.examples = examples;
        this.model = model;
        this.runner = runner;
        this.decoder = decoder;
        this.explainers = explainers;
        this.options = options;
        this.renderer = renderer;
        this.batchSize = batchSize;
        this.limits = limits;
    }

    /** The model's latent space (the metadata's {@code latentSpaceSource}), or null when it names none. */
    LatentSpace latentSpace() {
        return latent;
    }

    /** The same pipeline, explaining by example with {@code neighbors}. */
    ExplanationPipeline withExamples(ExampleNeighbors neighbors) {
        return new ExplanationPipeline(
                model, runner, decoder, explainers, options, renderer, batchSize, limits, neighbors);
    }

    /**
     * The model's example-based explanations, or null when it has no example set: then its explanations are feature
     * attributions. With one, Vertex answers neighbours instead of attributions.
     */
    public ExampleNeighbors examples() {
        return examples;
    }

    /** Each instance's nearest examples, with the predictions of the run that embedded it. */
    public ExampleNeighbors.Answers neighbors(List<JsonNode> instances, NeighborRequest request) {
        return neighbors(instances, Map.of("", request)).get("");
    }

    /**
     * The answers of several requests for the same instances (Vertex v1beta1's named overrides), by their names:
     * the instances are decoded and embedded once for all that take them alike.
     */
    public Map<String, ExampleNeighbors.Answers> neighbors(
            List<JsonNode> instances, Map<String, NeighborRequest> requests) {
        if (examples == null) {
            throw new InvalidRequestException("this model has no example set: examplesOverride applies to a model"
                    + " deployed with example-based explanations (explanationSpec.parameters.examples)");
        }
        Map<Boolean, ExampleNeighbors.Embedded> embedded = new HashMap<>();
        Map<String, ExampleNeighbors.Answers> out = new LinkedHashMap<>();
        for (Map.Entry<String, NeighborRequest> r : requests.entrySet()) {
            boolean given = r.getValue().instancesEmbedded();
            ExampleNeighbors.Embedded e = embedded.computeIfAbsent(given, g -> {
                if (g) {
                    checkInstanceCount(instances);
                    return examples.embed(instances, List.of(), runner::predict, true);
                }
                return examples.embed(instances, decode(instances), runner::predict, false);
            });
            out.put(r.getKey(), examples.answer(e, r.getValue()));
        }
        return out;
    }

    /** The model's shared runs (cross-request batching), or null when off. */
    public SharedRuns sharedRuns() {
        return runner.sharedRuns();
    }

    /** The rows one run of the model may take, as its device's memory has allowed. */
    public RowLimit rowLimit() {
        return runner.rowLimit();
    }

    /** Explains every instance, with what the request changes ({@link ExplainOptions#NONE} for nothing). */
    public List<Explanation> explain(List<JsonNode> instances, ExplainOptions request) {
        return explainDecoded(decode(instances), request);
    }

    /** Explanations and the signature's outputs (Vertex answers both), from one decode of the instances. */
    public record ExplainedPredictions(List<Explanation> explanations, List<Map<String, HostTensor>> predictions) {}

    public ExplainedPredictions explainAndPredict(List<JsonNode> instances, ExplainOptions request) {
        List<Map<String, HostTensor>> decoded = decode(instances);
        List<Map<String, HostTensor>> predictions = runner.predict(decoded);
        return new ExplainedPredictions(explainDecoded(decoded, request), predictions);
    }

    /** The request's own explanations and predictions, and each named override's explanations, in its order. */
    public record ConcurrentAnswers(ExplainedPredictions own, Map<String, List<Explanation>> named) {}

    /**
     * The explanation and predictions of {@code own}, and the explanations of each named override (Vertex v1beta1's
     * concurrent explanations), computed at once so that their runs are shared where cross-request batching is on.
     */
    public ConcurrentAnswers explainConcurrently(
            List<JsonNode> instances, ExplainOptions own, Map<String, ExplainOptions> named) {
        return ConcurrentExplanations.explain(this, instances, own, named);
    }

    private List<Explanation> explainDecoded(List<Map<String, HostTensor>> decoded, ExplainOptions request) {
        Map<String, VisualizationConfig> settings = visualizationSettings(request.visualization());
        Explainer method = explainers.forRequest(request);
        checkBaselineInputs(request);
        // the top class is chosen by the explanation's first run where the model's runs can: no forward run first
        boolean topClassInRuns = LabelSelection.TOP.equals(request.labels()) && runner.runsChooseTopClass();
        List<ForwardResult> forward =
                topClassInRuns ? decoded.stream().map(runner::unrun).toList() : runner.forward(decoded);
        List<ExplainedInstance> explained =
                forward.stream().map(r -> explainedInstance(r, request)).toList();
        checkWork(method, request, forward, explained);
        List<Explanation> out = new ArrayList<>(forward.size());
        for (int i = 0; i < forward.size(); i++) {
            out.add(explainInstance(method, request, i, forward.get(i), explained.get(i), settings, topClassInRuns));
        }
        return out;
    }

    /**
     * The most labels an explained output has (1 for a scalar): a request's {@code outputIndices} naming more must
     * name a label twice or one outside every output, and is refused before it is read.
     */
    public int mostLabels() {
        long most = 1;
        for (OutputInfo o : model.explainedOutputs()) {
            most = Math.max(most, HostTensor.elements(o.shape()));
        }
        return (int) Math.min(most, Integer.MAX_VALUE);
    }

    /** The method this model explains with (a request cannot change it). */
    public AttributionMethod method() {
        return options.method();
    }

    private void checkBaselineInputs(ExplainOptions request) {
        if (request.baselines() == null) {
            return;
        }
        for (String input : request.baselines().keySet()) {
            if (model.explainedInputs().stream().noneMatch(e -> e.key().equals(input))) {
                throw new InvalidRequestException("inputBaselines names input '" + input
                        + "'; the explained inputs are "
                        + model.explainedInputs().stream().map(InputInfo::key).toList());
            }
        }
    }

    /** The signature's outputs per instance, by output key. */
    public List<Map<String, HostTensor>> predict(List<JsonNode> instances) {
        return runner.predict(decode(instances));
    }

    /** Runs an instance's signature inputs forward (the warm-up of a model that explains by example). */
    void warmUpRun(ForwardResult instance) {
        runner.predict(List.of(instance.signatureValues()));
    }

    /**
     * Explains the warm-up's zeros with the configured method, choosing the top class as a request's explanation
     * does, so that TensorFlow has prepared the runs (feeds and fetches) a request's explanation makes.
     */
    Explanation warmUp(ForwardResult instance) {
        return explainInstance(
                explainers.configured(),
                ExplainOptions.NONE,
                WARM_UP,
                instance,
                explainedInstance(instance, ExplainOptions.NONE),
                renderer.settings(null),
                runner.runsChooseTopClass());
    }

    private void checkInstanceCount(List<JsonNode> instances) {
        if (instances.size() > limits.maxInstances()) {
            throw new LimitExceededException("the request has " + instances.size() + " instances, more than the "
                    + "limit of " + limits.maxInstances() + " (explain.limits.max-instances)");
        }
    }

    private List<Map<String, HostTensor>> decode(List<JsonNode> instances) {
        checkInstanceCount(instances);
        List<Map<String, HostTensor>> decoded = new ArrayList<>(instances.size());
        for (int i = 0; i < instances.size(); i++) {
            decoded.add(decoder.decode(instances.get(i), i));
        }
        return decoded;
    }

    private Map<String, VisualizationConfig> visualizationSettings(Map<String, Object> override) {
        try {
            return renderer.settings(override);
        } catch (MetadataException e) {
            throw new InvalidRequestException("parameters.visualization: " + e.getMessage());
        }
    }

    private ExplainedInstance explainedInstance(ForwardResult r, ExplainOptions request) {
        List<InputValues> inputs = new ArrayList<>();
        List<List<Object>> baselines = new ArrayList<>();
        for (InputInfo e : model.explainedInputs()) {
            HostTensor x = r.explainedValues().get(e.key());
            inputs.add(new InputValues(
                    e.key(), x.shape(), x.floats(), e.metadata().groupName(), featureWidth(e, x.shape())));
            baselines.add(
                    request.baselines() != null && request.baselines().containsKey(e.key())
                            ? request.baselines().get(e.key())
                            : e.metadata().explainedBaselines());
        }
        return new ExplainedInstance(inputs, Baselines.sets(inputs, baselines));
    }

    /**
     * How many values of the explained tensor make one feature: an embedding's width for concat_embedding (a token
     * is one feature), the whole tensor for combined_embedding, else 1.
     */
    static int featureWidth(InputInfo e, long[] shape) {
        int size = (int) HostTensor.elements(shape);
        return switch (e.metadata().encodingName()) {
            case "concat_embedding" -> shape.length == 0 ? 1 : (int) Math.max(1, shape[shape.length - 1]);
            case "combined_embedding" -> Math.max(1, size);
            default -> 1;
        };
    }

    /**
     * Refuses, before any gradient, a request whose explanation would do more work than the limits allow: per
     * instance, its labels times the input values the method evaluates for each (points x values per point) and
     * the multiply-adds it spends on the host (Blur IG's blurs), priced at {@link #MULTIPLY_ADDS_PER_VALUE}.
     */
    private void checkWork(
            Explainer method, ExplainOptions request, List<ForwardResult> forward, List<ExplainedInstance> explained) {
        long work = 0;
        long blurs = 0;
        try {
            for (int i = 0; i < forward.size(); i++) {
                long elements = runner.explainedElements(forward.get(i));
                runner.pointsPerRun(1, elements); // an instance larger than one model run may take
                long labels = 0;
                for (OutputInfo o : model.explainedOutputs()) {
                    labels += LabelTargets.count(o, request.labels());
                }
                long host = Math.multiplyExact(
                        labels, ceilDiv(method.hostMultiplyAdds(explained.get(i)), MULTIPLY_ADDS_PER_VALUE));
                blurs = Math.addExact(blurs, host);
                long evaluated =
                        Math.multiplyExact(Math.multiplyExact(method.evaluations(explained.get(i)), labels), elements);
                work = Math.addExact(work, Math.addExact(evaluated, host));
            }
        } catch (ArithmeticException e) {
            work = Long.MAX_VALUE; // beyond any limit
        }
        if (work > limits.maxRequestElements()) {
            boolean refined = options.method().usesIntegralSteps()
                    && (request.targetApproxError() != null
                            || options.targetApproxError().isPresent());
            throw new LimitExceededException("explaining this request would evaluate " + work + " input values ("
                    + "instances x labels x points x values per point"
                    + (blurs > 0
                            ? ", and " + blurs + " for blurring the image (Blur IG's maxBlurSigma: one value per "
                                    + MULTIPLY_ADDS_PER_VALUE + " multiply-adds; a smaller sigma, image or stepCount"
                                    + " blurs less)"
                            : "")
                    + "), more than the limit of " + limits.maxRequestElements()
                    + " (explain.limits.max-request-elements); send fewer or smaller instances"
                    + (refined
                            ? "; with a target approx_error the points the steps may reach are counted, up to "
                                    + "explain.max-integral-steps (" + options.maxIntegralSteps() + ")"
                            : ""));
        }
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    /**
     * @param topClassInRuns the request explains the top class and the model's runs choose it: each vector output's
     *     class is the one its first run chooses ({@link TopClassScores}), {@code r} has no outputs (a scalar output's
     *     one label needs none)
     */
    private Explanation explainInstance(
            Explainer method,
            ExplainOptions request,
            int index,
            ForwardResult r,
            ExplainedInstance x,
            Map<String, VisualizationConfig> settings,
            boolean topClassInRuns) {
        List<LabelAttribution> labels = new ArrayList<>();
        for (OutputInfo o : model.explainedOutputs()) {
            if (topClassInRuns && o.shape().length > 0) {
                TopClassScores top = runner.topClassScores(r, o, batchSize);
                labels.add(explainLabel(method, index, r, x, o, top, top::label, settings));
            } else {
                for (LabelTarget target : LabelTargets.of(r, o, request.labels())) {
                    labels.add(explainLabel(
                            method,
                            index,
                            r,
                            x,
                            o,
                            runner.scoreFunction(r, o, target, batchSize),
                            () -> target,
                            settings));
                }
            }
        }
        return new Explanation(labels);
    }

    /** @param target the explained label, known once {@code scores} has run */
    private LabelAttribution explainLabel(
            Explainer method,
            int index,
            ForwardResult r,
            ExplainedInstance x,
            OutputInfo o,
            ScoreFunction scores,
            Supplier<LabelTarget> target,
            Map<String, VisualizationConfig> settings) {
        Attribution a = method.explain(x, scores);
        LabelTarget label = target.get();
        String nonFinite = a.nonFinite();
        // the warm-up's zeros may lie outside what a model accepts (a log, a division), and its answer is dropped
        if (nonFinite != null && index != WARM_UP) {
            throw new InvalidInstanceException("instance " + index + ": the explanation of output '" + o.key() + "'"
                    + (label.labelIndex() >= 0 ? ", label " + label.labelIndex() : "") + " is not finite: "
                    + nonFinite + " overflowed (NaN or infinity). The model's scores or gradients leave float32 at"
                    + " this instance or on its path; smaller values, baselines or noise may fit it");
        }
        return new LabelAttribution(
                o.key(),
                label.labelIndex(),
                label.labelName(),
                a.baselineScore(),
                a.exampleScore(),
                a.approxError(),
                a.integralSteps(),
                Spans.in("render", () -> renderer.render(a.inputs(), x.inputs(), settings, sparseFeatures(r))));
    }

    /** For each sparse input, the feature of each stored value: the last coordinate of its index. */
    private Map<String, long[]> sparseFeatures(ForwardResult r) {
        Map<String, long[]> features = new LinkedHashMap<>();
        for (InputInfo e : model.explainedInputs()) {
            if (e.sparse() != null) {
                features.put(
                        e.key(),
                        SparseTensors.lastCoordinates(
                                r.signatureValues().get(e.sparse().indicesKey())));
            }
        }
        return features;
    }
}
