package dev.explainable.serving.runtime.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class InstanceShaperTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    static InstanceShaper shaper(String type, String key, List<String> in, List<String> ex) {
        return InstanceShaper.of(
                Optional.ofNullable(type), Optional.ofNullable(key), Optional.ofNullable(in), Optional.ofNullable(ex));
    }

    @Test
    void withoutSettingsInstancesAreAsWrittenAndCsvRowsArrays() throws Exception {
        InstanceShaper none = shaper(null, null, null, null);
        JsonNode o = json("{\"b\": 1, \"a\": 2}");
        assertEquals(o, none.jsonl(o).instance());
        assertNull(none.jsonl(o).key());
        JsonNode row = json("[1, 2]");
        assertEquals(row, none.csv(List.of("a", "b"), row).instance());
        assertTrue(!none.configured());
    }

    @Test
    void keyFieldAndIncludedFieldsAsAnArray() throws Exception {
        InstanceShaper s = shaper("array", "id", List.of("f2", "f1"), null);
        InstanceShaper.Shaped shaped = s.jsonl(json("{\"id\": \"a-1\", \"f1\": 1, \"f2\": 2, \"f3\": 3}"));
        assertEquals(json("\"a-1\""), shaped.key());
        assertEquals(json("[2, 1]"), shaped.instance());
    }

    @Test
    void excludedFieldsKeepAnObjectWithoutTheKey() throws Exception {
        InstanceShaper s = shaper("object", "id", null, List.of("f3"));
        InstanceShaper.Shaped shaped = s.jsonl(json("{\"id\": 7, \"f1\": 1, \"f3\": 3, \"f2\": 2}"));
        assertEquals(json("7"), shaped.key());
        assertEquals(json("{\"f1\": 1, \"f2\": 2}"), shaped.instance());
        // the default type keeps a jsonl object an object
        assertEquals(
                json("{\"f1\": 1}"),
                shaper(null, null, null, List.of("f2"))
                        .jsonl(json("{\"f1\": 1, \"f2\": 2}"))
                        .instance());
    }

    @Test
    void csvRowsAreNamedByTheHeaderAndArraysByDefault() throws Exception {
        InstanceShaper s = shaper(null, "id", null, null);
        InstanceShaper.Shaped shaped = s.csv(List.of("f1", "id", "f2"), json("[1, \"k\", 2]"));
        assertEquals(json("\"k\""), shaped.key());
        assertEquals(json("[1, 2]"), shaped.instance());
        assertEquals(
                json("{\"f1\": 1, \"f2\": 2}"),
                shaper("object", "id", null, null)
                        .csv(List.of("f1", "id", "f2"), json("[1, \"k\", 2]"))
                        .instance());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> s.csv(List.of("f1", "id"), json("[1, \"k\", 2]")));
        assertEquals("the row has 3 cells, the header 2 names", e.getMessage());
    }

    @Test
    void aMissingKeyOrIncludedFieldIsTheLinesError() {
        InstanceShaper s = shaper("array", "id", List.of("f1"), null);
        assertEquals(
                "the instance has no key field 'id' (explain.batch.key-field)",
                assertThrows(IllegalArgumentException.class, () -> s.jsonl(json("{\"f1\": 1}")))
                        .getMessage());
        assertEquals(
                "the instance has no field 'f1' (explain.batch.included-fields)",
                assertThrows(IllegalArgumentException.class, () -> s.jsonl(json("{\"id\": 1}")))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.jsonl(json("[1, 2]")));
        assertThrows(
                IllegalArgumentException.class,
                () -> shaper("object", null, null, null).jsonl(json("[1, 2]")));
    }

    @Test
    void settingsThatCannotWorkAreRefused() {
        assertThrows(BatchSettings.Invalid.class, () -> shaper(null, null, List.of("a"), List.of("b")));
        assertThrows(BatchSettings.Invalid.class, () -> shaper("table", null, null, null));
        assertThrows(BatchSettings.Invalid.class, () -> shaper(null, "id", List.of("id", "a"), null));
        assertThrows(BatchSettings.Invalid.class, () -> shaper(null, null, List.of("a", "a"), null));
    }
}
