package dev.explainable.serving.runtime.api.vertex;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.runtime.api.call.WireValues;
import dev.explainable.serving.runtime.result.Explanation;
import dev.explainable.serving.runtime.result.LabelAttribution;

/** The runtime's answers in Vertex AI's JSON ({@code ExplainResponse}, {@code PredictResponse}, the Endpoint). */
public final class VertexJson {

    private VertexJson() {}

    /**
     * {@code {"explanations": [{"attributions": [...]}], "deployedModelId", "predictions"}}. An attribution's
     * {@code featureAttributions} mirrors its instance: an object of named inputs for an object instance, the one
     * input's value otherwise.
     */
    public static Map<String, Object> explanations(
            List<Explanation> explanations,
            List<JsonNode> instances,
            String deployedModelId,
            List<Object> predictions) {
        List<Object> out = new ArrayList<>(explanations.size());
        for (int i = 0; i < explanations.size(); i++) {
            boolean named = instances.get(i).isObject() && !instances.get(i).has("b64");
            List<Object> attributions = new ArrayList<>();
            for (LabelAttribution l : explanations.get(i).labels()) {
                attributions.add(attribution(l, named));
            }
            out.add(Map.of("attributions", attributions));
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("explanations", out);
        response.put("deployedModelId", deployedModelId);
        response.put("predictions", predictions);
        return response;
    }

    /** One {@code Attribution}: Vertex's field names; {@code outputIndex} only for a vector output. */
    public static Map<String, Object> attribution(LabelAttribution l, boolean named) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("baselineOutputValue", l.baselineScore());
        m.put("instanceOutputValue", l.exampleScore());
        Map<String, Object> features = new LinkedHashMap<>();
        l.attributions().forEach((input, value) -> features.put(input, WireValues.attribution(value)));
        m.put(
                "featureAttributions",
                named || features.size() != 1
                        ? features
                        : features.values().iterator().next());
        if (l.labelIndex() >= 0) {
            m.put("outputIndex", List.of(l.labelIndex()));
        }
        if (l.labelName() != null) {
            m.put("outputDisplayName", l.labelName());
        }
        if (l.approxError() != null) {
            m.put("approximationError", l.approxError());
        }
        if (l.integralSteps() != null) {
            // not Vertex's: the steps a target approx_error led to (targetApproxError)
            m.put("integralStepsUsed", l.integralSteps());
        }
        m.put("outputName", l.outputName());
        return m;
    }

    /** {@code {"predictions": [...], "deployedModelId"}} */
    public static Map<String, Object> predictions(List<Object> predictions, String deployedModelId) {
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("predictions", predictions);
        response.put("deployedModelId", deployedModelId);
        return response;
    }

    /** An {@code Endpoint} resource with one deployed model taking all the traffic. */
    public static Map<String, Object> endpoint(String name, String displayName, String deployedModelId, String model) {
        Map<String, Object> deployed = new LinkedHashMap<>();
        deployed.put("id", deployedModelId);
        deployed.put("model", model);
        deployed.put("displayName", deployedModelId);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("name", name);
        e.put("displayName", displayName);
        e.put("deployedModels", List.of(deployed));
        e.put("trafficSplit", Map.of(deployedModelId, 100));
        return e;
    }
}
