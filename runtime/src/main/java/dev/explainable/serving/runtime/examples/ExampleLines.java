package dev.explainable.serving.runtime.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One line of an example set (JSONL, Vertex's {@code dataFormat: JSONL}): a JSON object with the example's
 * {@code id} (a string or an integer) beside the instance's fields, which are the instance as {@code :explain} takes
 * it ({@code {"id": "17", "features": [...]}}, {@code {"id": "cat-3", "b64": "..."}}).
 */
public final class ExampleLines {

    /** An example read from its line: its id, the instance without the id, and the line (kept for the page). */
    public record Example(String id, JsonNode instance, String text, String location, long line) {}

    /** Ids are map keys and answer fields: bounded. */
    public static final int MAX_ID_LENGTH = 256;

    // FastDoubleParser: exact as the JDK's, a fraction of its time on lines of many decimals (image instances)
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();

    private ExampleLines() {}

    /**
     * The example on {@code text}, or a {@link BadLine} saying why there is none: thrown as {@link NotAnExample}.
     * Blank lines are null.
     */
    public static Example parse(String text, String location, long line) {
        if (text.isBlank()) {
            return null;
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new NotAnExample(new BadLine(location, line, "not JSON (" + e.getOriginalMessage() + ")"));
        }
        if (node == null || !node.isObject()) {
            throw new NotAnExample(new BadLine(location, line, "not a JSON object"));
        }
        JsonNode id = node.get("id");
        if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
            throw new NotAnExample(new BadLine(location, line, "no \"id\" (a string or an integer)"));
        }
        String ids = id.asText();
        if (ids.isEmpty() || ids.length() > MAX_ID_LENGTH) {
            throw new NotAnExample(
                    new BadLine(location, line, "\"id\" must have 1 to " + MAX_ID_LENGTH + " characters"));
        }
        ObjectNode instance = (ObjectNode) node; // parsed here for this line alone: no copy
        instance.remove("id");
        if (instance.isEmpty()) {
            throw new NotAnExample(new BadLine(location, line, "no instance beside the \"id\""));
        }
        return new Example(ids, instance, text, location, line);
    }

    /** A line that is no example, with its report. */
    public static final class NotAnExample extends RuntimeException {
        private final transient BadLine bad;

        public NotAnExample(BadLine bad) {
            super(bad.reason(), null, false, false);
            this.bad = bad;
        }

        public BadLine bad() {
            return bad;
        }
    }
}
