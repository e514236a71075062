package dev.explainable.serving.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The fixture reads properties as the runtime does: later pairs win, variables work, a misspelt name fails. */
class TestOptionsTest {

    @Test
    void propertiesAndVariablesReachTheOptions() {
        assertEquals(
                10,
                TestOptions.from("explain.integral-steps", "20", "explain.integral-steps", "10")
                        .attribution()
                        .integralSteps());
        assertEquals(7, TestOptions.from("EXPLAIN_PATHS", "7").attribution().paths());
    }

    @Test
    void aMisspeltNameFails() {
        RuntimeException e =
                assertThrows(RuntimeException.class, () -> TestOptions.from("explain.integral-step", "10"));
        assertTrue(e.getMessage().contains("explain.integral-step"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TestOptions.from("explain.paths"));
    }
}
