package dev.explainable.serving.operator.management;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** Fields of a request body read with Google's rules: a wrong type or value is INVALID_ARGUMENT naming the field. */
public final class RequestFields {

    private RequestFields() {}

    public static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw GoogleError.invalid(field + " must be a string");
        }
        return n.asText();
    }

    public static int integer(JsonNode parent, String field, String where, int min, int max) {
        JsonNode n = parent.get(field);
        if (n == null || !(n.isIntegralNumber() || (n.isTextual() && n.asText().matches("-?\\d{1,9}")))) {
            throw GoogleError.invalid(where + " must be an integer from " + min + " to " + max);
        }
        long value = n.isTextual() ? Long.parseLong(n.asText()) : n.asLong();
        if (value < min || value > max) {
            throw GoogleError.invalid(where + " must be from " + min + " to " + max + ", got " + value);
        }
        return (int) value;
    }

    /** Keeps the request's labels as Kubernetes labels, checked. */
    public static Map<String, String> labels(JsonNode labels, String where) {
        Map<String, String> out = new LinkedHashMap<>();
        if (labels == null || labels.isNull()) {
            return out;
        }
        if (!labels.isObject() || labels.size() > 64) {
            throw GoogleError.invalid(where + " must be an object of at most 64 labels");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> l = it.next();
            String v = l.getValue().isTextual() ? l.getValue().asText() : null;
            if (!l.getKey().matches("[a-z]([-a-z0-9_]{0,61}[a-z0-9])?")
                    || v == null
                    || !v.matches("([a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?)?")) {
                throw GoogleError.invalid(where + "." + l.getKey() + ": a label key must be lowercase letters, digits,"
                        + " '-' and '_' (at most 63 characters), its value a string of those and '.'");
            }
            out.put(l.getKey(), v);
        }
        return out;
    }
}
