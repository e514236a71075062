package dev.explainable.serving.runtime.api;

import java.net.URL;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * {@link CallerAuthBenchmark}'s loop through the runtime in {@code explain.auth.mode=none}: the baseline its added
 * latencies are computed from. Run with it: {@code ./mvnw -pl runtime test -Dtest='CallerAuth*Benchmark'
 * -DexcludedTestGroups=none}.
 */
@Tag("benchmark")
@QuarkusTest
@TestProfile(CallerAuthOffBenchmark.NoAuth.class)
class CallerAuthOffBenchmark {

    public static class NoAuth implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("explain.auth.mode", "none");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @Test
    void noAuth() throws Exception {
        ReadyModel.await();
        long[] none = CallerAuthBenchmark.calls(
                CallerAuthBenchmark.client(), base, CallerAuthBenchmark.WARMUP, CallerAuthBenchmark.CALLS, i -> null);
        CallerAuthBenchmark.record("none", none);
        CallerAuthBenchmark.print();
    }
}
