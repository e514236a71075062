package dev.explainable.serving.runtime.api.call;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.runtime.service.ExplainOptions;
import dev.explainable.serving.runtime.work.InvalidRequestException;

/**
 * Reads what a request changes about its explanation: Vertex's {@code explanationSpecOverride} (accepted on both URL
 * families) and the runtime's extensions {@code parameters.visualization} and {@code targetApproxError} (in
 * {@code parameters}, or in {@code explanationSpecOverride.parameters}: Google has no such field on either). The
 * method itself cannot change, as on Vertex.
 */
public final class ExplanationOverrides {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> OVERRIDE_KEYS = Set.of("parameters", "metadata", ExamplesOverrides.FIELD);
    /** The runtime's extension beside Google's keys: the approx_error to refine the steps towards. */
    static final String TARGET_APPROX_ERROR = "targetApproxError";

    private static final Set<String> PARAMETER_KEYS = Set.of(
            "integratedGradientsAttribution",
            "xraiAttribution",
            "sampledShapleyAttribution",
            "topK",
            "outputIndices",
            TARGET_APPROX_ERROR);

    private ExplanationOverrides() {}

    /**
     * The request's options; {@code method} is the model's (a parameter block of another method is refused), and
     * {@code mostLabels} the most labels one of its explained outputs has: {@code outputIndices} may name no more.
     */
    public static ExplainOptions read(JsonNode body, JsonNode parameters, AttributionMethod method, int mostLabels) {
        Map<String, Object> visualization = visualization(parameters);
        Double target = parameters == null
                ? null
                : number(parameters.get(TARGET_APPROX_ERROR), "parameters." + TARGET_APPROX_ERROR);
        JsonNode override = body == null ? null : body.get("explanationSpecOverride");
        if (override == null || override.isNull()) {
            return ExplainOptions.visualization(visualization).withTargetApproxError(target);
        }
        requireObject(override, "explanationSpecOverride");
        unknownKeys(override, OVERRIDE_KEYS, "explanationSpecOverride");
        JsonNode examples = override.get(ExamplesOverrides.FIELD);
        if (examples != null && !examples.isNull()) {
            throw new InvalidRequestException("explanationSpecOverride." + ExamplesOverrides.FIELD + " applies to a"
                    + " model deployed with example-based explanations; this model explains by feature attributions");
        }
        Integer steps = null;
        ExplainOptions.SmoothGrad smoothGrad = null;
        Double maxBlurSigma = null;
        Integer paths = null;
        int topK = 1;
        List<Integer> indices = null;
        JsonNode p = override.get("parameters");
        if (p != null && !p.isNull()) {
            requireObject(p, "explanationSpecOverride.parameters");
            unknownKeys(p, PARAMETER_KEYS, "explanationSpecOverride.parameters");
            JsonNode ig =
                    methodBlock(p, "integratedGradientsAttribution", AttributionMethod.INTEGRATED_GRADIENTS, method);
            JsonNode xrai = methodBlock(p, "xraiAttribution", AttributionMethod.XRAI, method);
            JsonNode shapley = methodBlock(p, "sampledShapleyAttribution", AttributionMethod.SAMPLED_SHAPLEY, method);
            JsonNode pathBlock = ig != null ? ig : xrai;
            if (pathBlock != null) {
                String where = ig != null ? "integratedGradientsAttribution" : "xraiAttribution";
                unknownKeys(pathBlock, Set.of("stepCount", "smoothGradConfig", "blurBaselineConfig"), where);
                steps = integer(pathBlock.get("stepCount"), where + ".stepCount");
                smoothGrad = smoothGrad(pathBlock.get("smoothGradConfig"), where + ".smoothGradConfig");
                JsonNode blur = pathBlock.get("blurBaselineConfig");
                if (blur != null && !blur.isNull()) {
                    requireObject(blur, where + ".blurBaselineConfig");
                    unknownKeys(blur, Set.of("maxBlurSigma"), where + ".blurBaselineConfig");
                    maxBlurSigma = number(blur.get("maxBlurSigma"), where + ".blurBaselineConfig.maxBlurSigma");
                }
            }
            if (shapley != null) {
                unknownKeys(shapley, Set.of("pathCount"), "sampledShapleyAttribution");
                paths = integer(shapley.get("pathCount"), "sampledShapleyAttribution.pathCount");
            }
            Double overridden =
                    number(p.get(TARGET_APPROX_ERROR), "explanationSpecOverride.parameters." + TARGET_APPROX_ERROR);
            if (overridden != null && target != null) {
                throw new InvalidRequestException("targetApproxError is given twice, in parameters and in "
                        + "explanationSpecOverride.parameters; give it once");
            }
            target = overridden != null ? overridden : target;
            Integer k = integer(p.get("topK"), "topK");
            topK = k != null ? k : 1;
            JsonNode idx = p.get("outputIndices");
            if (idx != null && !idx.isNull()) {
                if (!idx.isArray() || idx.isEmpty()) {
                    throw new InvalidRequestException("outputIndices must be a non-empty list of integers");
                }
                if (idx.size() > mostLabels) {
                    // it names a label twice or one outside every output: refused before reading it
                    throw new InvalidRequestException("outputIndices has " + idx.size() + " entries; this model's"
                            + " outputs have at most " + mostLabels + " labels, each to be named once");
                }
                indices = new ArrayList<>(idx.size());
                for (JsonNode i : idx) {
                    indices.add(integer(i, "outputIndices"));
                }
            }
        }
        return new ExplainOptions(
                visualization,
                steps,
                paths,
                baselines(override.get("metadata")),
                topK,
                indices,
                smoothGrad,
                maxBlurSigma,
                target);
    }

    /** {@code "parameters": {"visualization": {...}}}: the runtime's extension, used by its page. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> visualization(JsonNode parameters) {
        if (parameters == null || !parameters.has("visualization")) {
            return null;
        }
        JsonNode v = parameters.get("visualization");
        if (!v.isObject()) {
            throw new InvalidRequestException("\"parameters.visualization\" must be an object");
        }
        return JSON.convertValue(v, Map.class);
    }

    private static JsonNode methodBlock(
            JsonNode parameters, String key, AttributionMethod of, AttributionMethod configured) {
        JsonNode block = parameters.get(key);
        if (block == null || block.isNull()) {
            return null;
        }
        if (of != configured) {
            throw new InvalidRequestException(
                    "explanationSpecOverride.parameters." + key + " does not apply: this model" + " explains with "
                            + configured.runtimeName() + ", and a request cannot change the method");
        }
        requireObject(block, key);
        return block;
    }

    /** {@code metadata.inputs.<name>.inputBaselines} */
    private static Map<String, List<Object>> baselines(JsonNode metadata) {
        if (metadata == null || metadata.isNull()) {
            return null;
        }
        requireObject(metadata, "explanationSpecOverride.metadata");
        unknownKeys(metadata, Set.of("inputs"), "explanationSpecOverride.metadata");
        JsonNode inputs = metadata.get("inputs");
        if (inputs == null || inputs.isNull()) {
            return null;
        }
        requireObject(inputs, "explanationSpecOverride.metadata.inputs");
        Map<String, List<Object>> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = inputs.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String where = "explanationSpecOverride.metadata.inputs." + f.getKey();
            requireObject(f.getValue(), where);
            unknownKeys(f.getValue(), Set.of("inputBaselines"), where);
            JsonNode b = f.getValue().get("inputBaselines");
            if (b == null || !b.isArray()) {
                throw new InvalidRequestException(where + ".inputBaselines must be a list of baselines");
            }
            List<Object> list = new ArrayList<>();
            b.forEach(e -> list.add(JSON.convertValue(e, Object.class)));
            out.put(f.getKey(), list);
        }
        return out;
    }

    /**
     * {@code {"noiseSigma": s} | {"featureNoiseSigma": {"noiseSigma": [{"name", "sigma"}]}},
     * "noisySampleCount": n}}
     */
    private static ExplainOptions.SmoothGrad smoothGrad(JsonNode n, String where) {
        if (n == null || n.isNull()) {
            return null;
        }
        requireObject(n, where);
        unknownKeys(n, Set.of("noiseSigma", "featureNoiseSigma", "noisySampleCount"), where);
        Map<String, Double> perFeature = null;
        JsonNode f = n.get("featureNoiseSigma");
        if (f != null && !f.isNull()) {
            requireObject(f, where + ".featureNoiseSigma");
            unknownKeys(f, Set.of("noiseSigma"), where + ".featureNoiseSigma");
            JsonNode list = f.get("noiseSigma");
            if (list == null || !list.isArray()) {
                throw new InvalidRequestException(
                        where + ".featureNoiseSigma.noiseSigma must be a list of " + "{\"name\", \"sigma\"}");
            }
            perFeature = new LinkedHashMap<>();
            for (JsonNode e : list) {
                requireObject(e, where + ".featureNoiseSigma.noiseSigma[]");
                unknownKeys(e, Set.of("name", "sigma"), where + ".featureNoiseSigma.noiseSigma[]");
                if (e.get("name") == null || !e.get("name").isTextual()) {
                    throw new InvalidRequestException(where + ".featureNoiseSigma.noiseSigma[].name must be a string");
                }
                perFeature.put(e.get("name").asText(), number(e.get("sigma"), where + ".featureNoiseSigma sigma"));
            }
        }
        return new ExplainOptions.SmoothGrad(
                integer(n.get("noisySampleCount"), where + ".noisySampleCount"),
                number(n.get("noiseSigma"), where + ".noiseSigma"),
                perFeature);
    }

    private static Double number(JsonNode n, String where) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber() || !Double.isFinite(n.doubleValue())) {
            throw new InvalidRequestException(where + " must be a number, got " + abbreviate(n));
        }
        return n.doubleValue();
    }

    static Integer integer(JsonNode n, String where) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new InvalidRequestException(where + " must be an integer, got " + abbreviate(n));
        }
        return n.intValue();
    }

    static void requireObject(JsonNode n, String where) {
        if (!n.isObject()) {
            throw new InvalidRequestException(where + " must be an object");
        }
    }

    static void unknownKeys(JsonNode n, Set<String> known, String where) {
        n.fieldNames().forEachRemaining(k -> {
            if (!known.contains(k)) {
                throw new InvalidRequestException(where + ": unknown field '" + abbreviate(k) + "' (known: "
                        + known.stream().sorted().toList() + ")");
            }
        });
    }

    static String abbreviate(Object o) {
        String s = String.valueOf(o);
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
