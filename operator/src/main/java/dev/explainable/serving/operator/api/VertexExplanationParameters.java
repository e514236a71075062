package dev.explainable.serving.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.ValidationRule;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.contract.ExplanationDefaults;

/**
 * Vertex's {@code ExplanationParameters}: one method, with Vertex's bounds (steps 1-100, paths 1-50), or
 * {@code examples}: example-based explanations, whose answers are neighbours instead of attributions.
 */
@ValidationRule(
        value = "(has(self.integratedGradientsAttribution) ? 1 : 0) + (has(self.xraiAttribution) ? 1 : 0)"
                + " + (has(self.sampledShapleyAttribution) ? 1 : 0) + (has(self.examples) ? 1 : 0) == 1",
        message = "give exactly one of integratedGradientsAttribution, xraiAttribution, sampledShapleyAttribution"
                + " and examples",
        reason = "FieldValueInvalid")
public class VertexExplanationParameters {

    @JsonPropertyDescription("Integrated Gradients: {stepCount} (1-100, default 50).")
    private StepCount integratedGradientsAttribution;

    @JsonPropertyDescription("XRAI: {stepCount} (1-100, default 50).")
    private StepCount xraiAttribution;

    @JsonPropertyDescription("Sampled Shapley: {pathCount} (1-50, default 50).")
    private PathCount sampledShapleyAttribution;

    @JsonPropertyDescription("Example-based explanations: {exampleGcsSource: {dataFormat: JSONL, gcsSource: {uris}},"
            + " neighborCount, presets: {query: PRECISE|FAST, modality: IMAGE|TEXT|TABULAR}}; the metadata names the"
            + " latent output (latentSpaceSource).")
    private VertexExamples examples;

    /** A path method's parameters. */
    public static class StepCount {
        @io.fabric8.generator.annotation.Min(1)
        @io.fabric8.generator.annotation.Max(100)
        @JsonPropertyDescription("Path steps, 1-100 (Vertex's bounds).")
        private Integer stepCount;

        public Integer getStepCount() {
            return stepCount;
        }

        public void setStepCount(Integer stepCount) {
            this.stepCount = stepCount;
        }
    }

    /** Sampled Shapley's parameters. */
    public static class PathCount {
        @io.fabric8.generator.annotation.Min(1)
        @io.fabric8.generator.annotation.Max(50)
        @JsonPropertyDescription("Permutations, 1-50 (Vertex's bounds).")
        private Integer pathCount;

        public Integer getPathCount() {
            return pathCount;
        }

        public void setPathCount(Integer pathCount) {
            this.pathCount = pathCount;
        }
    }

    /** Example-based explanations, or null. */
    public VertexExamples getExamples() {
        return examples;
    }

    public void setExamples(VertexExamples examples) {
        this.examples = examples;
    }

    /**
     * The method these parameters choose (integrated gradients when none is given, and for examples: the runtime's
     * warm-up explains with it; the answers are neighbours).
     */
    public AttributionMethod method() {
        if (xraiAttribution != null) {
            return AttributionMethod.XRAI;
        }
        return sampledShapleyAttribution != null
                ? AttributionMethod.SAMPLED_SHAPLEY
                : AttributionMethod.INTEGRATED_GRADIENTS;
    }

    /** The step count of the path method, or the default. */
    public int steps() {
        StepCount s = xraiAttribution != null ? xraiAttribution : integratedGradientsAttribution;
        return s != null && s.getStepCount() != null ? s.getStepCount() : ExplanationDefaults.INTEGRAL_STEPS;
    }

    /** Sampled Shapley's path count, or the default. */
    public int paths() {
        return sampledShapleyAttribution != null && sampledShapleyAttribution.getPathCount() != null
                ? sampledShapleyAttribution.getPathCount()
                : ExplanationDefaults.PATHS;
    }

    public StepCount getIntegratedGradientsAttribution() {
        return integratedGradientsAttribution;
    }

    public void setIntegratedGradientsAttribution(StepCount integratedGradientsAttribution) {
        this.integratedGradientsAttribution = integratedGradientsAttribution;
    }

    public StepCount getXraiAttribution() {
        return xraiAttribution;
    }

    public void setXraiAttribution(StepCount xraiAttribution) {
        this.xraiAttribution = xraiAttribution;
    }

    public PathCount getSampledShapleyAttribution() {
        return sampledShapleyAttribution;
    }

    public void setSampledShapleyAttribution(PathCount sampledShapleyAttribution) {
        this.sampledShapleyAttribution = sampledShapleyAttribution;
    }
}
