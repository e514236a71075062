package dev.explainable.serving.runtime.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ExplanationSlotsTest {

    static final long MIB = 1L << 20;
    static final long BATCH = 1_048_576; // the default explain.limits.max-batch-elements

    @Test
    void aSettingIsTakenAsItIs() {
        assertEquals(3, ExplanationSlots.of(3, 64 * MIB, BATCH));
        assertEquals(40, ExplanationSlots.of(40, 64 * MIB, BATCH));
    }

    @Test
    void zeroTakesWhatTheHeapHoldsAtTheLargestRunFromTwoToSixteen() {
        // 300 bytes per value of 1 Mi values: 300 MiB an explanation
        assertEquals(2, ExplanationSlots.of(0, 820 * MIB, BATCH), "a 2 GiB pod's heap (40%)");
        assertEquals(5, ExplanationSlots.of(0, 1_640 * MIB, BATCH), "a 4 GiB pod's");
        assertEquals(2, ExplanationSlots.of(0, 100 * MIB, BATCH), "never fewer than two");
        assertEquals(16, ExplanationSlots.of(0, 9_600 * MIB, BATCH), "never more than sixteen");
        assertEquals(16, ExplanationSlots.of(0, 820 * MIB, 65_536), "smaller runs: more fit");
    }

    @Test
    void aNegativeSettingIsRefusedNamingIt() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ExplanationSlots.of(-1, 64 * MIB, BATCH));
        assertEquals(true, e.getMessage().contains("explain.admission.max-concurrent-explanations"));
    }
}
