package dev.explainable.serving.runtime.api.vertex;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.runtime.api.call.WireValues;
import dev.explainable.serving.runtime.result.Explanation;
import dev.explainable.serving.runtime.result.LabelAttribution;

/**
 * Vertex AI's wire format, as this runtime answers it: {@code ExplainResponse}, {@code PredictResponse} and the
 * {@code Endpoint} (its errors are {@code ErrorBody.GoogleError}). Keys and their order are this runtime's answers'
 * since it first spoke Vertex; a field marked {@code NON_NULL} is left out when it has no value.
 * {@code WireFormatTest} pins the bytes.
 */
public final class VertexWire {

    private VertexWire() {}

    /** {@code endpoints.explain}'s answer: the explanations, the version that answered, and the predictions. */
    @Schema(name = "VertexExplainResponse")
    @JsonPropertyOrder({"explanations", "deployedModelId", "predictions", "concurrentExplanations"})
    public record ExplainResponse(
            List<InstanceExplanation> explanations,
            String deployedModelId,
            List<Object> predictions,
            @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, ConcurrentExplanation> concurrentExplanations) {

        /** This answer with v1beta1's {@code concurrentExplanations}, one per named override, in the request's order. */
        public ExplainResponse withConcurrentExplanations(Map<String, ConcurrentExplanation> concurrent) {
            return new ExplainResponse(explanations, deployedModelId, predictions, concurrent);
        }

        /**
         * An attribution's {@code featureAttributions} mirrors its instance: an object of named inputs for an object
         * instance, the one input's value otherwise.
         */
        public static ExplainResponse of(
                List<Explanation> explanations,
                List<JsonNode> instances,
                String deployedModelId,
                List<Object> predictions) {
            List<InstanceExplanation> out = new ArrayList<>(explanations.size());
            for (int i = 0; i < explanations.size(); i++) {
                boolean named = instances.get(i).isObject() && !instances.get(i).has("b64");
                List<Attribution> attributions = new ArrayList<>();
                for (LabelAttribution l : explanations.get(i).labels()) {
                    attributions.add(Attribution.of(l, named));
                }
                out.add(new InstanceExplanation(attributions));
            }
            return new ExplainResponse(out, deployedModelId, predictions, null);
        }

        /**
         * A model that explains by example: each explanation's {@code neighbors} (no attributions, as Vertex answers
         * for such a model), or, where {@code embeddings} are given ({@code returnEmbeddings}), the instance's
         * {@code embedding} instead of its neighbours.
         */
        public static ExplainResponse ofNeighbors(
                List<List<dev.explainable.serving.runtime.examples.Neighbor>> neighbors,
                List<float[]> embeddings,
                String deployedModelId,
                List<Object> predictions) {
            int count = embeddings != null ? embeddings.size() : neighbors.size();
            List<InstanceExplanation> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                if (embeddings != null) {
                    List<Double> e = new ArrayList<>(embeddings.get(i).length);
                    for (float v : embeddings.get(i)) {
                        e.add((double) v);
                    }
                    out.add(new InstanceExplanation(List.of(), null, e));
                } else {
                    out.add(new InstanceExplanation(
                            List.of(),
                            neighbors.get(i).stream()
                                    .map(n -> new Neighbor(n.id(), n.distance()))
                                    .toList(),
                            null));
                }
            }
            return new ExplainResponse(out, deployedModelId, predictions, null);
        }
    }

    /** v1beta1's {@code ConcurrentExplanation}: the explanations one named override gives, one per instance. */
    @Schema(name = "VertexConcurrentExplanation")
    public record ConcurrentExplanation(List<InstanceExplanation> explanations) {}

    /**
     * The explanation of one instance: one attribution per explained output; for a model that explains by example,
     * no attributions and its {@code neighbors} (or, asked with {@code returnEmbeddings}, this runtime's
     * {@code embedding} of the instance: Vertex names no field for it).
     */
    @Schema(name = "VertexExplanation")
    @JsonPropertyOrder({"attributions", "neighbors", "embedding"})
    public record InstanceExplanation(
            List<Attribution> attributions,
            @JsonInclude(NON_NULL) List<Neighbor> neighbors,
            @JsonInclude(NON_NULL) List<Double> embedding) {

        public InstanceExplanation(List<Attribution> attributions) {
            this(attributions, null, null);
        }
    }

    /** Vertex's {@code Neighbor}: an example's id in the example set, and its distance to the instance. */
    @Schema(name = "VertexNeighbor")
    @JsonPropertyOrder({"neighborId", "neighborDistance"})
    public record Neighbor(String neighborId, double neighborDistance) {}

    /**
     * One {@code Attribution}: Vertex's field names; {@code outputIndex} only for a vector output.
     * {@code featureAttributions} is an object by input name, or the one input's value (nested lists, a number, an
     * object by feature name, or {@link WireValues.EncodedImage}).
     */
    @Schema(name = "VertexAttribution")
    @JsonPropertyOrder({
        "baselineOutputValue",
        "instanceOutputValue",
        "featureAttributions",
        "outputIndex",
        "outputDisplayName",
        "approximationError",
        "integralStepsUsed",
        "outputName"
    })
    public record Attribution(
            double baselineOutputValue,
            double instanceOutputValue,
            Object featureAttributions,
            @JsonInclude(NON_NULL) List<Integer> outputIndex,
            @JsonInclude(NON_NULL) String outputDisplayName,
            @JsonInclude(NON_NULL) Double approximationError,
            // not Vertex's: the steps a target approx_error led to (targetApproxError)
            @JsonInclude(NON_NULL) Integer integralStepsUsed,
            String outputName) {

        static Attribution of(LabelAttribution l, boolean named) {
            Map<String, Object> features = new LinkedHashMap<>();
            l.attributions().forEach((input, value) -> features.put(input, WireValues.attribution(value)));
            return new Attribution(
                    l.baselineScore(),
                    l.exampleScore(),
                    named || features.size() != 1
                            ? features
                            : features.values().iterator().next(),
                    l.labelIndex() >= 0 ? List.of(l.labelIndex()) : null,
                    l.labelName(),
                    l.approxError(),
                    l.integralSteps(),
                    l.outputName());
        }
    }

    /** {@code endpoints.predict}'s answer. */
    @Schema(name = "VertexPredictResponse")
    @JsonPropertyOrder({"predictions", "deployedModelId"})
    public record PredictResponse(List<Object> predictions, String deployedModelId) {}

    /** An {@code Endpoint} resource with one deployed model taking all the traffic. */
    @JsonPropertyOrder({"name", "displayName", "deployedModels", "trafficSplit"})
    public record Endpoint(
            String name, String displayName, List<DeployedModel> deployedModels, Map<String, Integer> trafficSplit) {

        public static Endpoint of(String name, String displayName, String deployedModelId, String model) {
            return new Endpoint(
                    name,
                    displayName,
                    List.of(new DeployedModel(deployedModelId, model, deployedModelId)),
                    Map.of(deployedModelId, 100));
        }
    }

    /** A version of the model, deployed on the endpoint. */
    @JsonPropertyOrder({"id", "model", "displayName"})
    public record DeployedModel(String id, String model, String displayName) {}
}
