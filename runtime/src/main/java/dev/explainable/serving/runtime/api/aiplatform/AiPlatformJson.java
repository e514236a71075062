package dev.explainable.serving.runtime.api.aiplatform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.explainable.serving.runtime.api.call.WireValues;
import dev.explainable.serving.runtime.result.Explanation;
import dev.explainable.serving.runtime.result.LabelAttribution;
import dev.explainable.serving.runtime.service.ModelState;
import dev.explainable.serving.runtime.tensor.HostTensor;

/**
 * The runtime's answers in AI Platform's JSON: {@code projects.explain}, {@code projects.predict} and the model and
 * version resources.
 */
public final class AiPlatformJson {

    private static final ObjectMapper METADATA_JSON =
            new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private AiPlatformJson() {}

    /** {@code {"explanations": [{"attributions_by_label": [...]}, ...]}} */
    public static Map<String, Object> explanations(List<Explanation> explanations) {
        List<Object> out = new ArrayList<>(explanations.size());
        for (Explanation e : explanations) {
            List<Object> labels = new ArrayList<>();
            e.labels().forEach(l -> labels.add(label(l)));
            out.add(Map.of("attributions_by_label", labels));
        }
        return Map.of("explanations", out);
    }

    /** One {@code attributions_by_label} entry, keys in AI Platform's (alphabetical) order, nulls left out. */
    public static Map<String, Object> label(LabelAttribution l) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (l.approxError() != null) {
            m.put("approx_error", l.approxError());
        }
        Map<String, Object> attributions = new LinkedHashMap<>();
        l.attributions().forEach((input, value) -> attributions.put(input, WireValues.attribution(value)));
        m.put("attributions", attributions);
        m.put("baseline_score", l.baselineScore());
        m.put("example_score", l.exampleScore());
        if (l.integralSteps() != null) {
            // not AI Platform's: the steps a target approx_error led to (parameters.targetApproxError)
            m.put("integral_steps_used", l.integralSteps());
        }
        m.put("label_index", l.labelIndex());
        if (l.labelName() != null) {
            m.put("label_name", l.labelName());
        }
        m.put("output_name", l.outputName());
        return m;
    }

    /** {@code {"predictions": [...]}}: one output's value per instance, or an object of named outputs. */
    public static Map<String, Object> predictions(List<Map<String, HostTensor>> results) {
        return Map.of("predictions", WireValues.predictionList(results));
    }

    /**
     * A {@code projects.models.versions} resource: this runtime's one version, always the default; its state is
     * the model's (CREATING while loading, FAILED with the reason).
     */
    public static Map<String, Object> version(String name, ModelState state, Map<String, Object> explanationConfig) {
        Map<String, Object> version = new LinkedHashMap<>();
        version.put("name", name);
        version.put("isDefault", true);
        version.put(
                "state",
                state instanceof ModelState.Ready
                        ? "READY"
                        : state instanceof ModelState.Failed ? "FAILED" : "CREATING");
        if (state instanceof ModelState.Failed f) {
            version.put("errorMessage", f.reason());
        }
        version.put("framework", "TENSORFLOW");
        version.put("pythonVersion", "3.7");
        version.put("runtimeVersion", "2.11");
        version.put("explanationConfig", explanationConfig);
        if (state instanceof ModelState.Ready r) {
            // not AI Platform's: the metadata in effect, so users see what an inferred default explains
            version.put(
                    "explanationMetadata", METADATA_JSON.convertValue(r.model().metadata(), Map.class));
            version.put("explanationMetadataInferred", r.model().metadataInferred());
        }
        return version;
    }

    /** A {@code projects.models} resource with its default version. */
    public static Map<String, Object> model(String name, Map<String, Object> defaultVersion) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("name", name);
        model.put("defaultVersion", defaultVersion);
        return model;
    }
}
