package dev.explainable.serving.runtime.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExampleLinesTest {

    @Test
    void anExampleIsItsIdAndTheInstanceBesideIt() {
        ExampleLines.Example e = ExampleLines.parse("{\"id\": \"a-1\", \"features\": [1, 2]}", "f.jsonl", 3);
        assertEquals("a-1", e.id());
        assertEquals("{\"features\":[1,2]}", e.instance().toString());
        assertEquals(3, e.line());
        assertEquals(
                "17",
                ExampleLines.parse("{\"id\": 17, \"b64\": \"AAAA\"}", "f", 1).id());
    }

    @Test
    void blankLinesAreNoExamples() {
        assertNull(ExampleLines.parse("   ", "f", 1));
    }

    @Test
    void badLinesSayWhy() {
        assertBad("{not json", "not JSON");
        assertBad("[1, 2]", "not a JSON object");
        assertBad("{\"features\": [1]}", "no \"id\"");
        assertBad("{\"id\": 1.5, \"features\": [1]}", "no \"id\"");
        assertBad("{\"id\": \"\", \"features\": [1]}", "1 to 256 characters");
        assertBad("{\"id\": \"" + "x".repeat(257) + "\", \"features\": [1]}", "1 to 256 characters");
        assertBad("{\"id\": \"a\"}", "no instance");
    }

    private static void assertBad(String line, String reason) {
        ExampleLines.NotAnExample e =
                assertThrows(ExampleLines.NotAnExample.class, () -> ExampleLines.parse(line, "set.jsonl", 9));
        assertTrue(e.bad().reason().contains(reason), e.bad().reason());
        assertEquals("set.jsonl", e.bad().location());
        assertEquals(9, e.bad().line());
    }
}
