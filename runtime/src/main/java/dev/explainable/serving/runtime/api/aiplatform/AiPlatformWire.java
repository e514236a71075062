package dev.explainable.serving.runtime.api.aiplatform;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.runtime.api.call.WireValues;
import dev.explainable.serving.runtime.result.Explanation;
import dev.explainable.serving.runtime.result.LabelAttribution;
import dev.explainable.serving.runtime.service.ModelState;
import dev.explainable.serving.runtime.tensor.HostTensor;

/**
 * AI Platform's wire format, as this runtime answers it: {@code projects.explain}, {@code projects.predict} and the
 * model and version resources. Keys and their order are AI Platform's; a field marked {@code NON_NULL} is left out
 * when it has no value. {@code WireFormatTest} pins the bytes.
 */
public final class AiPlatformWire {

    private static final ObjectMapper METADATA_JSON =
            new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private AiPlatformWire() {}

    /** {@code projects.explain}'s answer: one explanation per instance. */
    @Schema(name = "AiPlatformExplainResponse")
    public record ExplainResponse(List<InstanceExplanation> explanations) {

        public static ExplainResponse of(List<Explanation> explanations) {
            return new ExplainResponse(explanations.stream()
                    .map(e -> new InstanceExplanation(
                            e.labels().stream().map(AttributionsByLabel::of).toList()))
                    .toList());
        }
    }

    /** The explanation of one instance: one entry per explained output. */
    @Schema(name = "AiPlatformExplanation")
    public record InstanceExplanation(
            @JsonProperty("attributions_by_label") List<AttributionsByLabel> attributionsByLabel) {}

    /**
     * One {@code attributions_by_label} entry, keys in AI Platform's (alphabetical) order. {@code attributions} holds,
     * per explained input, nested lists (a number for a scalar), an object by feature name, or a rendered image
     * ({@link WireValues.EncodedImage}).
     */
    @JsonPropertyOrder({
        "approx_error",
        "attributions",
        "baseline_score",
        "example_score",
        "integral_steps_used",
        "label_index",
        "label_name",
        "output_name"
    })
    public record AttributionsByLabel(
            @JsonProperty("approx_error") @JsonInclude(NON_NULL)
            Double approxError,

            @JsonProperty("attributions") Map<String, Object> attributions,
            @JsonProperty("baseline_score") double baselineScore,
            @JsonProperty("example_score") double exampleScore,
            // not AI Platform's: the steps a target approx_error led to (parameters.targetApproxError)
            @JsonProperty("integral_steps_used") @JsonInclude(NON_NULL)
            Integer integralStepsUsed,

            @JsonProperty("label_index") int labelIndex,

            @JsonProperty("label_name") @JsonInclude(NON_NULL)
            String labelName,

            @JsonProperty("output_name") String outputName) {

        public static AttributionsByLabel of(LabelAttribution l) {
            Map<String, Object> attributions = new LinkedHashMap<>();
            l.attributions().forEach((input, value) -> attributions.put(input, WireValues.attribution(value)));
            return new AttributionsByLabel(
                    l.approxError(),
                    attributions,
                    l.baselineScore(),
                    l.exampleScore(),
                    l.integralSteps(),
                    l.labelIndex(),
                    l.labelName(),
                    l.outputName());
        }
    }

    /** {@code projects.predict}'s answer: one output's value per instance, or an object of named outputs. */
    @Schema(name = "AiPlatformPredictResponse")
    public record PredictResponse(List<Object> predictions) {

        public static PredictResponse of(List<Map<String, HostTensor>> results) {
            return new PredictResponse(WireValues.predictionList(results));
        }
    }

    /** What {@code projects.models.get} and {@code projects.models.versions.get} answer. */
    @Schema(
            name = "AiPlatformResource",
            oneOf = {Model.class, Version.class})
    public sealed interface Resource permits Model, Version {}

    /** A {@code projects.models} resource with its default version. */
    @Schema(name = "AiPlatformModel")
    @JsonPropertyOrder({"name", "defaultVersion"})
    public record Model(String name, Version defaultVersion) implements Resource {}

    /**
     * A {@code projects.models.versions} resource: this runtime's one version, always the default; its state is the
     * model's (CREATING while loading, FAILED with the reason in {@code errorMessage}). The explanation metadata in
     * effect is not AI Platform's: users see what an inferred default explains.
     */
    @Schema(name = "AiPlatformVersion")
    @JsonPropertyOrder({
        "name",
        "isDefault",
        "state",
        "errorMessage",
        "framework",
        "pythonVersion",
        "runtimeVersion",
        "explanationConfig",
        "explanationMetadata",
        "explanationMetadataInferred"
    })
    public record Version(
            @JsonProperty("name") String name,
            @JsonProperty("isDefault") boolean isDefault,
            @JsonProperty("state") String state,

            @JsonProperty("errorMessage") @JsonInclude(NON_NULL)
            String errorMessage,

            @JsonProperty("framework") String framework,
            @JsonProperty("pythonVersion") String pythonVersion,
            @JsonProperty("runtimeVersion") String runtimeVersion,
            @JsonProperty("explanationConfig") ExplanationConfig explanationConfig,

            @JsonProperty("explanationMetadata") @JsonInclude(NON_NULL)
            Map<String, Object> explanationMetadata,

            @JsonProperty("explanationMetadataInferred") @JsonInclude(NON_NULL)
            Boolean explanationMetadataInferred)
            implements Resource {

        @SuppressWarnings("unchecked")
        public static Version of(String name, ModelState state, ExplanationConfig explanationConfig) {
            ModelState.Ready ready = state instanceof ModelState.Ready r ? r : null;
            return new Version(
                    name,
                    true,
                    ready != null ? "READY" : state instanceof ModelState.Failed ? "FAILED" : "CREATING",
                    state instanceof ModelState.Failed f ? f.reason() : null,
                    "TENSORFLOW",
                    "3.7",
                    "2.11",
                    explanationConfig,
                    ready != null ? METADATA_JSON.convertValue(ready.model().metadata(), Map.class) : null,
                    ready != null ? ready.model().metadataInferred() : null);
        }
    }

    /** The version's {@code explanationConfig}: the block of its attribution method, empty when there is none. */
    @JsonInclude(NON_NULL)
    public record ExplanationConfig(
            IntegratedGradientsAttribution integratedGradientsAttribution,
            XraiAttribution xraiAttribution,
            SampledShapleyAttribution sampledShapleyAttribution) {

        /** The version's method with the steps or paths it takes. */
        public static ExplanationConfig of(AttributionMethod method, int integralSteps, int paths) {
            return switch (method) {
                case XRAI -> new ExplanationConfig(null, new XraiAttribution(integralSteps), null);
                case SAMPLED_SHAPLEY -> new ExplanationConfig(null, null, new SampledShapleyAttribution(paths));
                case INTEGRATED_GRADIENTS ->
                    new ExplanationConfig(new IntegratedGradientsAttribution(integralSteps), null, null);
            };
        }

        /** No method (the version is FAILED, and its errorMessage says why). */
        public static ExplanationConfig none() {
            return new ExplanationConfig(null, null, null);
        }
    }

    public record IntegratedGradientsAttribution(int numIntegralSteps) {}

    public record XraiAttribution(int numIntegralSteps) {}

    public record SampledShapleyAttribution(int numPaths) {}
}
