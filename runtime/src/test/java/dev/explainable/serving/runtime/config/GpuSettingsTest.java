package dev.explainable.serving.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.runtime.testing.TestOptions;

/** explain.gpu.memory-fraction: memory growth by default, a fraction in (0, 1] when set, anything else refused. */
class GpuSettingsTest {

    static GpuSettings from(Map<String, String> env) {
        return RuntimeOptions.from(TestOptions.config(env)).gpu();
    }

    @Test
    void memoryGrowthByDefault() {
        assertEquals(new GpuSettings(OptionalDouble.empty()), from(Map.of()));
        assertEquals(OptionalDouble.empty(), from(Map.of()).memoryFraction());
    }

    @Test
    void aFractionReachesTheSettings() {
        assertEquals(
                OptionalDouble.of(0.45),
                from(Map.of("EXPLAIN_GPU_MEMORY_FRACTION", "0.45")).memoryFraction());
        assertEquals(
                OptionalDouble.of(1.0),
                from(Map.of("EXPLAIN_GPU_MEMORY_FRACTION", "1")).memoryFraction());
    }

    @Test
    void aFractionOutsideZeroToOneIsRefusedNamingTheSetting() {
        for (String bad : new String[] {"0", "-0.5", "1.5", "NaN"}) {
            String message = assertThrows(
                            IllegalArgumentException.class, () -> from(Map.of("EXPLAIN_GPU_MEMORY_FRACTION", bad)), bad)
                    .getMessage();
            assertTrue(message.startsWith("explain.gpu.memory-fraction must be"), message);
        }
    }
}
