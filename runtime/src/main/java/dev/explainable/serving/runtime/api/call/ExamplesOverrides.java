package dev.explainable.serving.runtime.api.call;

import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.runtime.service.NeighborRequest;
import dev.explainable.serving.runtime.work.InvalidRequestException;

/**
 * Vertex's {@code explanationSpecOverride.examplesOverride}, for a model that explains by example: how many
 * neighbours ({@code neighborCount}, at most {@code explain.examples.max-neighbor-count}), {@code returnEmbeddings},
 * and {@code dataFormat} ({@code INSTANCES} or {@code EMBEDDINGS}). What the example set here cannot do is refused by
 * name: {@code crowdingCount} above 0 (its examples carry no crowding tags) and {@code restrictions} (nor namespaces).
 * Attribution parameters are refused too: such a model's explanations are neighbours.
 */
public final class ExamplesOverrides {

    static final String FIELD = "examplesOverride";
    private static final Set<String> KEYS =
            Set.of("neighborCount", "crowdingCount", "restrictions", "returnEmbeddings", "dataFormat");

    private ExamplesOverrides() {}

    /** The request's {@code examplesOverride} ({@link NeighborRequest#NONE} when it has none). */
    public static NeighborRequest read(JsonNode body, int maxNeighborCount) {
        JsonNode override = body == null ? null : body.get("explanationSpecOverride");
        if (override == null || override.isNull()) {
            return NeighborRequest.NONE;
        }
        ExplanationOverrides.requireObject(override, "explanationSpecOverride");
        for (String refused : new String[] {"parameters", "metadata"}) {
            JsonNode n = override.get(refused);
            if (n != null && !n.isNull() && !(n.isObject() && n.isEmpty())) {
                throw new InvalidRequestException("explanationSpecOverride." + refused + " does not apply: this model"
                        + " explains by example (its explanations are neighbours); use examplesOverride");
            }
        }
        ExplanationOverrides.unknownKeys(override, Set.of("parameters", "metadata", FIELD), "explanationSpecOverride");
        return of(override.get(FIELD), "explanationSpecOverride." + FIELD, maxNeighborCount);
    }

    /** One {@code examplesOverride} object (null: none); {@code where} names it in refusals. */
    static NeighborRequest of(JsonNode n, String where, int maxNeighborCount) {
        if (n == null || n.isNull()) {
            return NeighborRequest.NONE;
        }
        ExplanationOverrides.requireObject(n, where);
        ExplanationOverrides.unknownKeys(n, KEYS, where);
        Integer count = ExplanationOverrides.integer(n.get("neighborCount"), where + ".neighborCount");
        if (count != null && (count < 1 || count > maxNeighborCount)) {
            throw new InvalidRequestException(where + ".neighborCount must be 1 to " + maxNeighborCount
                    + " (explain.examples.max-neighbor-count), got " + count);
        }
        Integer crowding = ExplanationOverrides.integer(n.get("crowdingCount"), where + ".crowdingCount");
        if (crowding != null && crowding != 0) {
            throw new InvalidRequestException(
                    where + ".crowdingCount is not supported: the example set's examples" + " carry no crowding tags");
        }
        JsonNode restrictions = n.get("restrictions");
        if (restrictions != null && !restrictions.isNull() && !(restrictions.isArray() && restrictions.isEmpty())) {
            throw new InvalidRequestException(where + ".restrictions is not supported: the example set's examples"
                    + " carry no namespaces to restrict by");
        }
        JsonNode embeddings = n.get("returnEmbeddings");
        if (embeddings != null && !embeddings.isNull() && !embeddings.isBoolean()) {
            throw new InvalidRequestException(where + ".returnEmbeddings must be true or false");
        }
        JsonNode format = n.get("dataFormat");
        boolean embedded = false;
        if (format != null && !format.isNull()) {
            String f = format.isTextual() ? format.asText() : "";
            switch (f) {
                case "INSTANCES", "DATA_FORMAT_UNSPECIFIED" -> embedded = false;
                case "EMBEDDINGS" -> embedded = true;
                default ->
                    throw new InvalidRequestException(where + ".dataFormat must be INSTANCES or EMBEDDINGS, got "
                            + ExplanationOverrides.abbreviate(format));
            }
        }
        return new NeighborRequest(count, embeddings != null && embeddings.asBoolean(), embedded);
    }
}
