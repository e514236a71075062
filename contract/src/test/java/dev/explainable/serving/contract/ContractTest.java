package dev.explainable.serving.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ContractTest {

    @Test
    void environmentNamesFollowMicroProfileConfig() {
        assertEquals("EXPLAIN_MODEL_DIR", RuntimeSetting.MODEL_DIR.env());
        assertEquals("EXPLAIN_INTEGRAL_STEPS", RuntimeSetting.INTEGRAL_STEPS.env());
        assertEquals("EXPLAIN_EXIT_ON_LOAD_FAILURE", RuntimeSetting.EXIT_ON_LOAD_FAILURE.env());
        assertEquals("EXPLAIN_METADATA_FILE", RuntimeSetting.METADATA_FILE.env());
        assertEquals("EXPLAIN_ROUTING_MAX_CONCURRENT_FORWARDS", RuntimeSetting.ROUTING_MAX_CONCURRENT_FORWARDS.env());
    }

    @Test
    void methodNamesRoundTrip() {
        for (AttributionMethod m : AttributionMethod.values()) {
            assertEquals(m, AttributionMethod.fromRuntimeName(m.runtimeName()));
            assertEquals(m, AttributionMethod.fromResourceName(m.resourceName()));
        }
        assertEquals(AttributionMethod.XRAI, AttributionMethod.fromRuntimeName(" XRAI "));
        assertEquals(AttributionMethod.DEFAULT.runtimeName(), AttributionMethod.DEFAULT_RUNTIME_NAME);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> AttributionMethod.fromRuntimeName("lime"));
        assertTrue(e.getMessage().contains("sampled-shapley"), e.getMessage());
    }

    @Test
    void theVersionsFileRoundTrips() {
        assertEquals("EXPLAIN_ROUTING_VERSIONS_FILE", RuntimeSetting.ROUTING_VERSIONS_FILE.env());
        String file = VersionList.format(List.of("v1", "v2", "canary"));
        assertEquals("v1\nv2\ncanary\n", file);
        assertEquals(List.of("v1", "v2", "canary"), List.copyOf(VersionList.parse(file)));
        assertEquals(Set.of("a", "b"), VersionList.parse("  a\r\n\n b \n"));
        assertTrue(VersionList.parse("\n").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> VersionList.format(List.of("v 1")));
    }
}
