package dev.explainable.serving.runtime.batch;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Vertex's {@code instanceConfig} ({@code explain.batch.instance-type}, {@code key-field}, {@code included-fields},
 * {@code excluded-fields}): takes an object instance (a jsonl object, or a csv row with the header's names as field
 * names) apart into its key and the instance the model is given. Pure; {@link IllegalArgumentException} for an
 * instance it cannot shape (that line is an errors line), {@link BatchSettings.Invalid} for settings that cannot
 * work.
 */
public final class InstanceShaper {

    /** Vertex's {@code instanceType}; DEFAULT: csv rows are arrays, jsonl instances as written. */
    public enum Type {
        DEFAULT,
        OBJECT,
        ARRAY
    }

    /** A shaped instance: its key (null without a key field) and what the model is given. */
    public record Shaped(JsonNode key, JsonNode instance) {}

    /** No instanceConfig: every instance as before. */
    public static final InstanceShaper NONE = new InstanceShaper(Type.DEFAULT, null, List.of(), List.of());

    private final Type type;
    private final String keyField;
    private final List<String> included;
    private final List<String> excluded;

    private InstanceShaper(Type type, String keyField, List<String> included, List<String> excluded) {
        this.type = type;
        this.keyField = keyField;
        this.included = List.copyOf(included);
        this.excluded = List.copyOf(excluded);
    }

    /** The settings, checked: not both included and excluded fields; the key field is not among the included. */
    public static InstanceShaper of(
            Optional<String> instanceType,
            Optional<String> keyField,
            Optional<List<String>> includedFields,
            Optional<List<String>> excludedFields) {
        Type type = Type.DEFAULT;
        String t = instanceType.map(s -> s.trim().toLowerCase(Locale.ROOT)).orElse("");
        if (t.equals("object")) {
            type = Type.OBJECT;
        } else if (t.equals("array")) {
            type = Type.ARRAY;
        } else if (!t.isEmpty()) {
            throw new BatchSettings.Invalid(
                    "explain.batch.instance-type must be object or array, got '" + instanceType.get() + "'");
        }
        String key = keyField.map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
        List<String> in = names(includedFields);
        List<String> ex = names(excludedFields);
        if (!in.isEmpty() && !ex.isEmpty()) {
            throw new BatchSettings.Invalid("explain.batch.included-fields and explain.batch.excluded-fields are"
                    + " both set: name the fields to keep or the fields to leave out, not both");
        }
        if (key != null && in.contains(key)) {
            throw new BatchSettings.Invalid("explain.batch.included-fields names the key field '" + key
                    + "' (explain.batch.key-field), which is never given to the model");
        }
        if (new HashSet<>(in).size() != in.size()) {
            throw new BatchSettings.Invalid("explain.batch.included-fields names a field twice: " + in);
        }
        return new InstanceShaper(type, key, in, ex);
    }

    private static List<String> names(Optional<List<String>> fields) {
        return fields.orElse(List.of()).stream()
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    /** Whether any of the four settings is set. */
    public boolean configured() {
        return type != Type.DEFAULT || keyField != null || !included.isEmpty() || !excluded.isEmpty();
    }

    /** Whether instances must be objects: a key field or a field selection. */
    public boolean needsFields() {
        return keyField != null || !included.isEmpty() || !excluded.isEmpty();
    }

    public Type type() {
        return type;
    }

    /**
     * A jsonl line's instance: an object is taken apart (key, fields, type); an array or other value only when no
     * field is named ({@code instance-type array} keeps an array, {@code object} refuses it).
     */
    public Shaped jsonl(JsonNode instance) {
        if (!configured()) {
            return new Shaped(null, instance);
        }
        if (instance instanceof ObjectNode object) {
            return object(object, type == Type.ARRAY);
        }
        if (needsFields()) {
            throw new IllegalArgumentException("the instance is not a JSON object, and "
                    + (keyField != null ? "explain.batch.key-field" : "explain.batch.included/excluded-fields")
                    + " names its fields");
        }
        if (type == Type.OBJECT) {
            throw new IllegalArgumentException(
                    "the instance is not a JSON object (explain.batch.instance-type object)");
        }
        return new Shaped(null, instance);
    }

    /**
     * A csv row: without instanceConfig fields, the row as an array; else an object of the header's names, shaped
     * (an array unless {@code instance-type object}).
     */
    public Shaped csv(List<String> header, JsonNode row) {
        if (!needsFields() && type != Type.OBJECT) {
            return new Shaped(null, row);
        }
        if (header == null || header.size() != row.size()) {
            throw new IllegalArgumentException("the row has " + row.size() + " cells, the header "
                    + (header == null ? 0 : header.size()) + " names");
        }
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < header.size(); i++) {
            object.set(header.get(i).trim(), row.get(i));
        }
        return object(object, type != Type.OBJECT);
    }

    private Shaped object(ObjectNode object, boolean array) {
        JsonNode key = null;
        if (keyField != null) {
            key = object.get(keyField);
            if (key == null) {
                throw new IllegalArgumentException(
                        "the instance has no key field '" + keyField + "' (explain.batch.key-field)");
            }
        }
        List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
        if (!included.isEmpty()) {
            for (String name : included) {
                JsonNode value = object.get(name);
                if (value == null) {
                    throw new IllegalArgumentException(
                            "the instance has no field '" + name + "' (explain.batch.included-fields)");
                }
                fields.add(Map.entry(name, value));
            }
        } else {
            Set<String> leave = new HashSet<>(excluded);
            if (keyField != null) {
                leave.add(keyField);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!leave.contains(e.getKey())) {
                    fields.add(e);
                }
            }
        }
        JsonNode shaped;
        if (array) {
            ArrayNode values = JsonNodeFactory.instance.arrayNode();
            fields.forEach(e -> values.add(e.getValue()));
            shaped = values;
        } else {
            ObjectNode kept = JsonNodeFactory.instance.objectNode();
            fields.forEach(e -> kept.set(e.getKey(), e.getValue()));
            shaped = kept;
        }
        return new Shaped(key, shaped);
    }
}
