package dev.explainable.serving.testkit;

import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * JSON equality up to float32 rounding: the same structure, keys, strings and booleans, and numbers within a relative
 * tolerance (absolute below 1). A model run over a batch of another shape (a batch job's rows, a run shared across requests) may sum in
 * another order, which moves a float32 result in its last bits; nothing else may differ.
 */
public final class JsonNumbers {

    /** About 8 float32 ulps. */
    public static final double FLOAT32_TOLERANCE = 1e-6;

    private JsonNumbers() {}

    /**
     * An explanation's {@code approximationError}: the gap between the attributions' sum and the score difference,
     * relative to that difference, so its float32 noise is that of the sums divided by a score difference that may be
     * small. Compared absolutely, at {@link #APPROXIMATION_ERROR_TOLERANCE}.
     */
    public static final String APPROXIMATION_ERROR = "approximationError";

    public static final double APPROXIMATION_ERROR_TOLERANCE = 1e-4;

    /** Null when equal within {@code relative}, else where and how they differ. */
    public static String difference(JsonNode expected, JsonNode actual, double relative) {
        return difference("$", expected, actual, relative);
    }

    private static String difference(String at, JsonNode e, JsonNode a, double relative) {
        if (e == null || a == null) {
            return e == a ? null : at + ": " + e + " vs " + a;
        }
        if (at.endsWith("." + APPROXIMATION_ERROR) && e.isNumber() && a.isNumber()) {
            return Math.abs(e.asDouble() - a.asDouble()) <= APPROXIMATION_ERROR_TOLERANCE
                    ? null
                    : at + ": " + e + " vs " + a;
        }
        if (e.isNumber() && a.isNumber()) {
            double x = e.asDouble();
            double y = a.asDouble();
            double scale = Math.max(Math.abs(x), Math.abs(y));
            // below 1, absolute: a small value that is itself a difference of O(1) float32 sums (an approximation
            // error) carries their rounding, not its own
            return Math.abs(x - y) <= relative * Math.max(scale, 1.0) ? null : at + ": " + x + " vs " + y;
        }
        if (e.getNodeType() != a.getNodeType() || e.size() != a.size()) {
            return at + ": " + e + " vs " + a;
        }
        if (e.isArray()) {
            for (int i = 0; i < e.size(); i++) {
                String d = difference(at + "[" + i + "]", e.get(i), a.get(i), relative);
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (e.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = e.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                String d = difference(at + "." + f.getKey(), f.getValue(), a.get(f.getKey()), relative);
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        return e.equals(a) ? null : at + ": " + e + " vs " + a;
    }
}
