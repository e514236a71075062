package dev.explainable.serving.operator.management.vertex;

import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.explainable.serving.operator.api.VertexExamples;
import dev.explainable.serving.operator.api.VertexExplanationParameters;
import dev.explainable.serving.operator.api.VertexExplanationSpec;
import dev.explainable.serving.operator.management.GoogleError;
import dev.explainable.serving.operator.management.RequestFields;

/**
 * Vertex's {@code ExplanationSpec} in a request (a model's upload, a deployed model, a batch job), checked up front
 * and made the version's {@code explanationSpec}: exactly one of integrated gradients, XRAI and Sampled Shapley with
 * Vertex's bounds, and any metadata object (the runtime reads it at load and says what is wrong with it). What a
 * deployed model here cannot keep is refused, naming the field: SmoothGrad and blur baselines (ask per request, with
 * {@code explanationSpecOverride}) and {@code topK}/{@code outputIndices}; of example-based explanations,
 * {@code nearestNeighborSearchConfig} (give {@code presets}).
 */
final class ExplanationSpecs {

    /** Writes only the fields given (the API types carry nulls for the rest). */
    private static final ObjectMapper JSON =
            new ObjectMapper().setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);

    private static final Map<String, String> REFUSED_PARAMETERS = Map.of(
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
                case "examples" -> {
                    out.setExamples(examples(f.getValue(), field));
                    methods++;
                }
                default ->
                    throw GoogleError.invalid(
                            "Invalid JSON payload received. Unknown name \"" + f.getKey() + "\" at '" + where + "'");
            }
        }
        if (methods != 1) {
            throw GoogleError.invalid(where + " must give exactly one of integratedGradientsAttribution,"
                    + " xraiAttribution, sampledShapleyAttribution and examples");
        }
        return out;
    }

    /**
     * Vertex's {@code Examples}: the set's files ({@code exampleGcsSource}, or v1beta1's older {@code gcsSource}) on
     * gs:// or s3://, {@code neighborCount} 1-100, {@code presets}; {@code nearestNeighborSearchConfig} is refused.
     */
    private static VertexExamples examples(JsonNode n, String where) {
        if (!n.isObject()) {
            throw GoogleError.invalid(where + " must be an Examples object");
        }
        VertexExamples out = new VertexExamples();
        JsonNode files = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String field = where + "." + f.getKey();
            switch (f.getKey()) {
                case "exampleGcsSource" -> {
                    JsonNode source = f.getValue();
                    if (!source.isObject()) {
                        throw GoogleError.invalid(field + " must be an object");
                    }
                    for (Iterator<String> keys = source.fieldNames(); keys.hasNext(); ) {
                        String k = keys.next();
                        if (!k.equals("dataFormat") && !k.equals("gcsSource")) {
                            throw GoogleError.invalid(field + "." + k + " is not a field of " + field);
                        }
                    }
                    JsonNode format = source.get("dataFormat");
                    if (format != null && !format.isNull() && !"JSONL".equals(format.asText())) {
                        throw GoogleError.invalid(field + ".dataFormat must be JSONL, the only format supported");
                    }
                    files = source.get("gcsSource");
                    if (files == null) {
                        throw GoogleError.invalid(field + ".gcsSource is required");
                    }
                }
                case "gcsSource" -> files = f.getValue();
                case "neighborCount" -> out.setNeighborCount(RequestFields.integer(n, "neighborCount", field, 1, 100));
                case "presets" -> out.setPresets(presets(f.getValue(), field));
                case "nearestNeighborSearchConfig" ->
                    throw GoogleError.invalid(field + " is not supported here: give presets (query PRECISE or FAST,"
                            + " modality IMAGE, TEXT or TABULAR)");
                default ->
                    throw GoogleError.invalid(
                            "Invalid JSON payload received. Unknown name \"" + f.getKey() + "\" at '" + where + "'");
            }
        }
        if (files == null
                || !files.isObject()
                || !files.path("uris").isArray()
                || files.path("uris").isEmpty()) {
            throw GoogleError.invalid(where + ".exampleGcsSource.gcsSource.uris must name the example set's files");
        }
        java.util.List<String> uris = new java.util.ArrayList<>();
        for (JsonNode u : files.get("uris")) {
            String uri = u.asText("");
            if (!u.isTextual() || !(uri.startsWith("gs://") || uri.startsWith("s3://")) || uri.length() > 1024) {
                throw GoogleError.invalid(where + ".exampleGcsSource.gcsSource.uris: each is a gs:// or s3:// URI");
            }
            uris.add(uri);
        }
        if (uris.size() > 100) {
            throw GoogleError.invalid(where + ".exampleGcsSource.gcsSource.uris: at most 100");
        }
        VertexExamples.GcsSource gcs = new VertexExamples.GcsSource();
        gcs.setUris(uris);
        VertexExamples.ExampleGcsSource source = new VertexExamples.ExampleGcsSource();
        source.setDataFormat("JSONL");
        source.setGcsSource(gcs);
        out.setExampleGcsSource(source);
        return out;
    }

    private static VertexExamples.Presets presets(JsonNode n, String where) {
        if (!n.isObject()) {
            throw GoogleError.invalid(where + " must be an object");
        }
        VertexExamples.Presets out = new VertexExamples.Presets();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String v = f.getValue().asText("");
            try {
                switch (f.getKey()) {
                    case "query" -> out.setQuery(VertexExamples.Query.valueOf(v));
                    case "modality" -> {
                        if (!v.equals("MODALITY_UNSPECIFIED")) {
                            out.setModality(VertexExamples.Modality.valueOf(v));
                        }
                    }
                    default -> throw GoogleError.invalid(where + "." + f.getKey() + " is not a field of " + where);
                }
            } catch (IllegalArgumentException e) {
                throw GoogleError.invalid(where + "." + f.getKey() + ": unknown value '"
                        + (v.length() > 40 ? v.substring(0, 37) + "..." : v) + "'");
            }
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
