package dev.explainable.serving.operator.management.vertex;

import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.explainable.serving.operator.api.VertexExplanationParameters;
import dev.explainable.serving.operator.api.VertexExplanationSpec;
import dev.explainable.serving.operator.management.GoogleError;
import dev.explainable.serving.operator.management.RequestFields;

/**
 * Vertex's {@code ExplanationSpec} in a request (a model's upload, a deployed model, a batch job), checked up front
 * and made the version's {@code explanationSpec}: exactly one of integrated gradients, XRAI and Sampled Shapley with
 * Vertex's bounds, and any metadata object (the runtime reads it at load and says what is wrong with it). What a
 * deployed model here cannot keep is refused, naming the field: SmoothGrad and blur baselines (ask per request, with
 * {@code explanationSpecOverride}), example-based explanations, and {@code topK}/{@code outputIndices}.
 */
final class ExplanationSpecs {

    /** Writes only the fields given (the API types carry nulls for the rest). */
    private static final ObjectMapper JSON =
            new ObjectMapper().setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);

    private static final Map<String, String> REFUSED_PARAMETERS = Map.of(
            "examples", "example-based explanations are not supported yet",
            "topK", "is not kept by a deployed model here: ask for it per request (parameters)",
            "outputIndices", "is not kept by a deployed model here: ask for it per request (parameters)");

    private ExplanationSpecs() {}

    /** {@code spec} (null: none) as the version's explanationSpec; {@code where} names it in refusals. */
    static VertexExplanationSpec fromRequest(JsonNode spec, String where) {
        if (spec == null || spec.isNull()) {
            return null;
        }
        if (!spec.isObject()) {
            throw GoogleError.invalid(where + " must be an ExplanationSpec object");
        }
        for (Iterator<String> it = spec.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("parameters") && !f.equals("metadata")) {
                throw GoogleError.invalid(
                        "Invalid JSON payload received. Unknown name \"" + f + "\" at '" + where + "'");
            }
        }
        VertexExplanationSpec out = new VertexExplanationSpec();
        JsonNode metadata = spec.get("metadata");
        if (metadata != null && !metadata.isNull()) {
            if (!metadata.isObject()) {
                throw GoogleError.invalid(where + ".metadata must be an ExplanationMetadata object");
            }
            out.setMetadata(metadata);
        }
        JsonNode parameters = spec.get("parameters");
        if (parameters != null && !parameters.isNull()) {
            out.setParameters(parameters(parameters, where + ".parameters"));
        }
        return out;
    }

    private static VertexExplanationParameters parameters(JsonNode p, String where) {
        if (!p.isObject()) {
            throw GoogleError.invalid(where + " must be an ExplanationParameters object");
        }
        VertexExplanationParameters out = new VertexExplanationParameters();
        int methods = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String field = where + "." + f.getKey();
            if (REFUSED_PARAMETERS.containsKey(f.getKey())) {
                throw GoogleError.invalid(field + " " + REFUSED_PARAMETERS.get(f.getKey()));
            }
            switch (f.getKey()) {
                case "integratedGradientsAttribution" -> {
                    out.setIntegratedGradientsAttribution(steps(f.getValue(), field));
                    methods++;
                }
                case "xraiAttribution" -> {
                    out.setXraiAttribution(steps(f.getValue(), field));
                    methods++;
                }
                case "sampledShapleyAttribution" -> {
                    only(f.getValue(), field, "pathCount");
                    VertexExplanationParameters.PathCount c = new VertexExplanationParameters.PathCount();
                    if (f.getValue().has("pathCount")) {
                        c.setPathCount(RequestFields.integer(f.getValue(), "pathCount", field + ".pathCount", 1, 50));
                    }
                    out.setSampledShapleyAttribution(c);
                    methods++;
                }
                default ->
                    throw GoogleError.invalid(
                            "Invalid JSON payload received. Unknown name \"" + f.getKey() + "\" at '" + where + "'");
            }
        }
        if (methods != 1) {
            throw GoogleError.invalid(where + " must give exactly one of integratedGradientsAttribution,"
                    + " xraiAttribution and sampledShapleyAttribution");
        }
        return out;
    }

    private static VertexExplanationParameters.StepCount steps(JsonNode n, String where) {
        only(n, where, "stepCount");
        VertexExplanationParameters.StepCount c = new VertexExplanationParameters.StepCount();
        if (n.has("stepCount")) {
            c.setStepCount(RequestFields.integer(n, "stepCount", where + ".stepCount", 1, 100));
        }
        return c;
    }

    private static void only(JsonNode n, String where, String allowed) {
        if (!n.isObject()) {
            throw GoogleError.invalid(where + " must be an object");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals(allowed)) {
                throw GoogleError.invalid(where + "." + f
                        + (f.endsWith("Config")
                                ? " is not kept by a deployed model here: ask for it per request (explanationSpecOverride)"
                                : " is not a field of " + where));
            }
        }
    }

    /**
     * The job's spec over the model's, field by field (Vertex's rule for a BatchPredictionJob's explanationSpec):
     * each of parameters and metadata from the job where it gives one, else from the model. Pure.
     */
    static VertexExplanationSpec over(VertexExplanationSpec job, VertexExplanationSpec model) {
        if (job == null) {
            return model;
        }
        if (model == null) {
            return job;
        }
        VertexExplanationSpec out = new VertexExplanationSpec();
        out.setParameters(job.getParameters() != null ? job.getParameters() : model.getParameters());
        out.setMetadata(job.getMetadata() != null ? job.getMetadata() : model.getMetadata());
        return out;
    }

    /** The spec as Vertex's JSON. */
    static JsonNode toJson(VertexExplanationSpec spec) {
        if (spec == null) {
            return null;
        }
        ObjectNode n = JSON.valueToTree(spec);
        return n;
    }
}
