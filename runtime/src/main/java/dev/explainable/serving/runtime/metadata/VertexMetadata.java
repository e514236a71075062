package dev.explainable.serving.runtime.metadata;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Vertex AI's {@code ExplanationMetadata} (camelCase JSON, upper-case enums) read as AI Platform's
 * {@code explanation_metadata.json}: both formats become one internal model. Vertex keys the runtime does not
 * support are refused by name, as unknown keys are.
 */
public final class VertexMetadata {

    private static final Map<String, String> INPUT_KEYS = Map.ofEntries(
            Map.entry("inputTensorName", "input_tensor_name"),
            Map.entry("inputBaselines", "input_baselines"),
            Map.entry("encoding", "encoding"),
            Map.entry("indexFeatureMapping", "index_feature_mapping"),
            Map.entry("encodedTensorName", "encoded_tensor_name"),
            Map.entry("encodedBaselines", "encoded_baselines"),
            Map.entry("indicesTensorName", "indices_tensor_name"),
            Map.entry("denseShapeTensorName", "dense_shape_tensor_name"),
            Map.entry("modality", "modality"),
            Map.entry("featureValueDomain", "domain"),
            Map.entry("groupName", "group_name"),
            Map.entry("visualization", "visualization"));
    private static final Map<String, String> DOMAIN_KEYS = Map.of(
            "minValue", "min", "maxValue", "max", "originalMean", "original_mean", "originalStddev", "original_stddev");
    private static final Map<String, String> VISUALIZATION_KEYS = Map.of(
            "type", "type",
            "polarity", "polarity",
            "colorMap", "color_map",
            "clipPercentUpperbound", "clip_above_percentile",
            "clipPercentLowerbound", "clip_below_percentile",
            "overlayType", "overlay_type");
    private static final Map<String, String> OUTPUT_KEYS =
            Map.of("outputTensorName", "output_tensor_name", "indexDisplayNameMapping", "index_name_mapping");

    private VertexMetadata() {}

    /** True when the document is in Vertex's format (an input or output named in camelCase). */
    public static boolean isVertex(JsonNode root) {
        return hasChildKey(root.get("inputs"), "inputTensorName")
                || hasChildKey(root.get("outputs"), "outputTensorName");
    }

    /** The same metadata in AI Platform's format; every key it cannot carry is listed in one exception. */
    public static JsonNode toAiPlatform(JsonNode root) {
        List<String> problems = new ArrayList<>();
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("framework", "tensorflow");
        Iterator<Map.Entry<String, JsonNode>> top = root.fields();
        while (top.hasNext()) {
            Map.Entry<String, JsonNode> e = top.next();
            switch (e.getKey()) {
                case "inputs" -> out.set("inputs", map(e.getValue(), "input", VertexMetadata::input, problems));
                case "outputs" -> out.set("outputs", map(e.getValue(), "output", VertexMetadata::output, problems));
                case "latentSpaceSource" -> {
                    if (e.getValue().isTextual()) {
                        out.put("latent_space_source", e.getValue().asText());
                    } else {
                        problems.add("'latentSpaceSource' must be a string (a signature output's name)");
                    }
                }
                case "featureAttributionsSchemaUri" -> {
                    // describes the response's schema for Vertex's tooling; nothing to apply
                }
                default ->
                    problems.add("unknown key '" + e.getKey() + "' (Vertex keys: inputs, outputs, "
                            + "featureAttributionsSchemaUri, latentSpaceSource)");
            }
        }
        if (!problems.isEmpty()) {
            throw new MetadataException("invalid explanation metadata (Vertex format): " + String.join("; ", problems));
        }
        return out;
    }

    private interface Converter {
        ObjectNode convert(String name, JsonNode value, List<String> problems);
    }

    private static ObjectNode map(JsonNode node, String what, Converter converter, List<String> problems) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        if (node == null || !node.isObject()) {
            problems.add("'" + what + "s' must be an object");
            return out;
        }
        node.fields().forEachRemaining(e -> out.set(e.getKey(), converter.convert(e.getKey(), e.getValue(), problems)));
        return out;
    }

    private static ObjectNode input(String name, JsonNode in, List<String> problems) {
        String where = "input '" + name + "'";
        return renamedFields(
                in,
                INPUT_KEYS,
                where,
                unknown -> "unknown key '" + unknown + "'",
                problems,
                (out, key, v) -> putInputField(out, key, v, where, problems));
    }

    /** An input's field, its value in AI Platform's spelling (enum names, the domain's and visualization's keys). */
    private static void putInputField(ObjectNode out, String key, JsonNode v, String where, List<String> problems) {
        if (key.equals("encoding") || key.equals("modality")) {
            enumValue(v).ifPresent(s -> out.put(key, s));
        } else if (key.equals("domain")) {
            out.set(key, renamed(v, DOMAIN_KEYS, where + " featureValueDomain", problems));
        } else if (key.equals("visualization")) {
            ObjectNode vis = renamed(v, VISUALIZATION_KEYS, where + " visualization", problems);
            List<String> enums = List.of("type", "polarity", "color_map", "overlay_type");
            for (String k : enums) {
                if (vis.has(k)) {
                    var value = enumValue(vis.get(k));
                    vis.remove(k);
                    value.ifPresent(s -> vis.put(k, s));
                }
            }
            out.set(key, vis);
        } else {
            out.set(key, v);
        }
    }

    private static ObjectNode output(String name, JsonNode o, List<String> problems) {
        return renamedFields(
                o,
                OUTPUT_KEYS,
                "output '" + name + "'",
                unknown -> unknown.equals("displayNameMappingKey")
                        ? "'displayNameMappingKey' is not supported; give 'indexDisplayNameMapping'"
                        : "unknown key '" + unknown + "'",
                problems,
                ObjectNode::set);
    }

    private static ObjectNode renamed(JsonNode node, Map<String, String> keys, String where, List<String> problems) {
        return renamedFields(
                node,
                keys,
                where,
                unknown -> "unknown key '" + unknown + "' (known: " + keys.keySet() + ")",
                problems,
                ObjectNode::set);
    }

    /** Puts one field of a Vertex object into its AI Platform counterpart, under the AI Platform key. */
    private interface FieldWriter {
        void put(ObjectNode out, String key, JsonNode value);
    }

    /**
     * The fields of the object {@code node} under their AI Platform names ({@code keys}: Vertex's name to AI
     * Platform's), each written by {@code writer}. A field {@code keys} does not name is a problem, worded by
     * {@code unknown}; so is a {@code node} that is not an object (then the result is empty).
     */
    private static ObjectNode renamedFields(
            JsonNode node,
            Map<String, String> keys,
            String where,
            Function<String, String> unknown,
            List<String> problems,
            FieldWriter writer) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        if (node == null || !node.isObject()) {
            problems.add(where + " must be an object");
            return out;
        }
        node.fields().forEachRemaining(e -> {
            String key = keys.get(e.getKey());
            if (key == null) {
                problems.add(where + ": " + unknown.apply(e.getKey()));
            } else {
                writer.put(out, key, e.getValue());
            }
        });
        return out;
    }

    /** Vertex's enum names in AI Platform's spelling; {@code *_UNSPECIFIED} means not given. */
    private static java.util.Optional<String> enumValue(JsonNode v) {
        if (v == null || !v.isTextual() || v.asText().endsWith("_UNSPECIFIED")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(v.asText().toLowerCase(Locale.ROOT));
    }

    private static boolean hasChildKey(JsonNode node, String key) {
        if (node == null || !node.isObject()) {
            return false;
        }
        for (JsonNode child : node) {
            if (child.has(key)) {
                return true;
            }
        }
        return false;
    }
}
