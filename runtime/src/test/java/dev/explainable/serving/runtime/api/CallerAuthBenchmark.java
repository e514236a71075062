package dev.explainable.serving.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The latency auth adds to an authorized call: {@code :predict} on the tabular model (the cheapest call, so the
 * difference shows) sent back to back from one client on loopback, p50 and p99, through the runtime in
 * {@code explain.auth.mode=kubernetes} against the test control plane ({@link KubernetesCallers}) with a warm cache
 * (one token, its identity and decision cached) and a cold one (a fresh TokenRequest token for every call, minted
 * before timing: a TokenReview and a SubjectAccessReview per call), and, in {@link CallerAuthOffBenchmark}, through
 * the runtime in {@code explain.auth.mode=none}: the same loop, the same client, in the same Maven run (a Quarkus
 * profile per class, so one JVM, two application starts). Each class prints the rows measured so far in the run.
 *
 * <p>Run: {@code ./mvnw -pl runtime test -Dtest='CallerAuth*Benchmark' -DexcludedTestGroups=none}. Not a timed
 * test: it asserts only that the figures were measured.
 */
@Tag("benchmark")
@QuarkusTest
@TestProfile(CallerAuthBenchmark.KubernetesBench.class)
class CallerAuthBenchmark {

    public static class KubernetesBench implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KubernetesCallers.class));
        }
    }

    static final int WARMUP = Integer.getInteger("benchmark.warmup", 3_000);
    static final int CALLS = Integer.getInteger("benchmark.calls", 5_000);
    static final int COLD_CALLS = Integer.getInteger("benchmark.cold-calls", 500);

    @TestHTTPResource("/")
    URL base;

    @Test
    void warmAndColdCache() throws Exception {
        ReadyModel.await();
        String caller = KubernetesCallers.token(KubernetesCallers.NAMESPACE, "caller", KubernetesCallers.AUDIENCE);
        List<String> fresh = new ArrayList<>();
        for (int i = 0; i < COLD_CALLS + 50; i++) {
            fresh.add(KubernetesCallers.token(KubernetesCallers.NAMESPACE, "caller", KubernetesCallers.AUDIENCE));
        }
        HttpClient client = client();
        // the JIT and the caches warmed up with the same token, then the cold calls' own warm-up (50 fresh tokens)
        long[] warm = calls(client, base, WARMUP, CALLS, i -> caller);
        long[] cold = calls(client, base, 50, COLD_CALLS, i -> fresh.get(i));
        record("kubernetes, warm cache (one token)", warm);
        record("kubernetes, cold cache (a new token per call)", cold);
        print();
    }

    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    /**
     * Latencies in nanoseconds of {@code calls} calls after {@code warmup} unmeasured ones; call {@code i} (warm-up
     * included, counted on) carries {@code token.apply(i)}, or no header when it gives null.
     */
    static long[] calls(
            HttpClient client, URL base, int warmup, int calls, java.util.function.IntFunction<String> token)
            throws Exception {
        URI uri = URI.create(base.toString().replaceAll("/$", "") + "/v1/projects/p/models/iris:predict");
        String body = PredictionResourceTest.instances();
        long[] nanos = new long[calls];
        for (int i = 0; i < warmup + calls; i++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            String t = token.apply(i);
            if (t != null) {
                b.header("Authorization", "Bearer " + t);
            }
            HttpRequest request = b.build();
            long start = System.nanoTime();
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            long took = System.nanoTime() - start;
            assertEquals(200, r.statusCode(), r.body());
            if (i >= warmup) {
                nanos[i - warmup] = took;
            }
        }
        Arrays.sort(nanos);
        assertTrue(nanos[0] > 0);
        return nanos;
    }

    /** Rows measured so far in this JVM (system properties: each profile's classes have a class loader of their own). */
    static void record(String label, long[] sorted) {
        System.setProperty(
                "benchmark.caller-auth." + label,
                String.format(
                        "%.3f %.3f %d",
                        sorted[sorted.length / 2] / 1e6,
                        sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1e6,
                        sorted.length));
    }

    static void print() {
        TreeMap<String, String> rows = new TreeMap<>();
        System.getProperties().forEach((k, v) -> {
            if (k.toString().startsWith("benchmark.caller-auth.")) {
                rows.put(k.toString().substring("benchmark.caller-auth.".length()), v.toString());
            }
        });
        String none = rows.get("none");
        double noneP50 = none == null ? Double.NaN : Double.parseDouble(none.split(" ")[0]);
        double noneP99 = none == null ? Double.NaN : Double.parseDouble(none.split(" ")[1]);
        System.out.printf(
                "%n:predict, tabular model, one client on loopback%n%-48s %8s %8s %7s %14s %14s%n",
                "explain.auth.mode", "p50 ms", "p99 ms", "calls", "p50 added ms", "p99 added ms");
        rows.forEach((label, v) -> {
            String[] f = v.split(" ");
            double p50 = Double.parseDouble(f[0]);
            double p99 = Double.parseDouble(f[1]);
            System.out.printf(
                    "%-48s %8.3f %8.3f %7s %14s %14s%n",
                    label,
                    p50,
                    p99,
                    f[2],
                    label.equals("none") ? "" : String.format("%+.3f", p50 - noneP50),
                    label.equals("none") ? "" : String.format("%+.3f", p99 - noneP99));
        });
    }
}
