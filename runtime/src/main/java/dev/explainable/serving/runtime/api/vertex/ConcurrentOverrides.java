package dev.explainable.serving.runtime.api.vertex;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.runtime.api.call.ExamplesOverrides;
import dev.explainable.serving.runtime.api.call.ExplanationOverrides;
import dev.explainable.serving.runtime.service.ExplainOptions;
import dev.explainable.serving.runtime.service.NeighborRequest;
import dev.explainable.serving.runtime.work.InvalidRequestException;

/**
 * Vertex v1beta1's {@code concurrentExplanationSpecOverride}: named overrides, each read and checked as the single
 * {@code explanationSpecOverride} is ({@link ExplanationOverrides}), all before any work starts, at most
 * {@code explain.limits.max-concurrent-explanations} of them. Vertex v1 has no such field: there it is refused, as
 * Google's JSON parser refuses an unknown name, rather than silently ignored.
 */
final class ConcurrentOverrides {

    static final String FIELD = "concurrentExplanationSpecOverride";
    /** Names are map keys in the answer; bounded so that a request cannot make the answer large through them. */
    static final int MAX_NAME_LENGTH = 128;

    private ConcurrentOverrides() {}

    /**
     * The named overrides of {@code body}, in the request's order; empty when there are none.
     *
     * @param apiVersion {@code v1} or {@code v1beta1}
     */
    static Map<String, ExplainOptions> read(
            JsonNode body, JsonNode parameters, String apiVersion, AttributionMethod method, int mostLabels, int max) {
        return read(body, apiVersion, max, single -> ExplanationOverrides.read(single, parameters, method, mostLabels));
    }

    /**
     * The named overrides of {@code body} for a model that explains by example: each an {@code examplesOverride},
     * read as the single one is ({@link ExamplesOverrides}).
     */
    static Map<String, NeighborRequest> readExamples(JsonNode body, String apiVersion, int maxNeighborCount, int max) {
        return read(body, apiVersion, max, single -> ExamplesOverrides.read(single, maxNeighborCount));
    }

    /** The named overrides, each read by {@code reader} from a body whose only field is it as the single override. */
    private static <T> Map<String, T> read(JsonNode body, String apiVersion, int max, Function<JsonNode, T> reader) {
        JsonNode all = body == null ? null : body.get(FIELD);
        if (all == null || all.isNull()) {
            return Map.of();
        }
        if (!"v1beta1".equals(apiVersion)) {
            throw new InvalidRequestException("Invalid JSON payload received. Unknown name \"" + FIELD
                    + "\": concurrent explanations are Vertex v1beta1's (POST /v1beta1/.../endpoints/{e}:explain)");
        }
        if (!all.isObject()) {
            throw new InvalidRequestException(FIELD + " must be an object of named explanationSpecOverrides");
        }
        if (all.size() > max) {
            throw new InvalidRequestException(FIELD + " has " + all.size() + " overrides; at most " + max
                    + " (explain.limits.max-concurrent-explanations)");
        }
        Map<String, T> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> named = it.next();
            String name = named.getKey();
            if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
                throw new InvalidRequestException(FIELD + " names must have 1 to " + MAX_NAME_LENGTH + " characters");
            }
            String where = FIELD + "[\"" + name + "\"]";
            if (named.getValue() == null || !named.getValue().isObject()) {
                throw new InvalidRequestException(where + " must be an explanationSpecOverride object");
            }
            // the single override's reader and checks, its messages naming this entry
            JsonNode single = JsonNodeFactory.instance.objectNode().set("explanationSpecOverride", named.getValue());
            try {
                out.put(name, reader.apply(single));
            } catch (InvalidRequestException e) {
                String message = e.getMessage() == null ? "invalid" : e.getMessage();
                throw new InvalidRequestException(
                        message.contains("explanationSpecOverride")
                                ? message.replace("explanationSpecOverride", where)
                                : where + ": " + message);
            }
        }
        return out;
    }
}
