package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.explainable.serving.runtime.monitoring.AttributionWindows;
import dev.explainable.serving.runtime.result.Explanation;
import dev.explainable.serving.runtime.result.InputExplanation;
import dev.explainable.serving.runtime.result.LabelAttribution;
import dev.explainable.serving.runtime.result.TensorAttribution;

/**
 * Attribution monitoring's cost, in one run. Throughput: the tabular classifier's {@code :explain} at 8 clients with
 * every explanation sampled (explain.monitoring.sample-rate 1, windows of 1,000) against the same requests with an
 * explicit {@code stepCount} of 50, which the monitor leaves out as not comparable but which costs the same
 * TensorFlow work; the two alternate in rounds (ABBA, after a warm-up of each) so that a trend falls on both. Memory: 100,000
 * explanations (3 labels, 5 features and a 300-value input each) through the windows, the heap after a full GC at
 * 1,000, 10,000 and 100,000.
 *
 * <p>Run: {@code ./mvnw -pl runtime test -Dtest=MonitoringBenchmark -DexcludedTestGroups=none}. Not a timed test: it
 * asserts only that the figures were measured.
 */
@Tag("benchmark")
@QuarkusTest
@TestProfile(MonitoringBenchmark.Sampled.class)
class MonitoringBenchmark {

    public static class Sampled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "explain.monitoring.sample-rate", "1",
                    "explain.monitoring.window-size", "1000",
                    "explain.admission.max-queued-explanations", "64");
        }
    }

    static final int CLIENTS = Integer.getInteger("benchmark.clients", 8);
    static final int ROUNDS = Integer.getInteger("benchmark.rounds", 6);
    static final int WARMUP_S = Integer.getInteger("benchmark.warmup-seconds", 20);
    static final int SECONDS = Integer.getInteger("benchmark.seconds", 10);
    static final String X = "[0.3, -1.2, 2.0, 0.7, -0.4]";

    @TestHTTPResource("/v1/projects/p/models/iris:explain")
    URL explain;

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    @Test
    void samplingEveryExplanationCostsNoThroughputAndItsMemoryIsFlat() throws Exception {
        String sampled = "{\"instances\": [" + X + "]}";
        String notSampled = "{\"instances\": [" + X + "], \"explanationSpecOverride\": {\"parameters\": "
                + "{\"integratedGradientsAttribution\": {\"stepCount\": 50}}}}";
        rate(sampled, WARMUP_S);
        rate(notSampled, WARMUP_S);
        double on = 0;
        double off = 0;
        for (int r = 0; r < ROUNDS; r++) {
            // ABBA: each goes first in every other round, so that a trend (the JIT, the machine) falls on both
            boolean sampledFirst = r % 2 == 0;
            double a = sampledFirst ? rate(sampled, SECONDS) : 0;
            double b = rate(notSampled, SECONDS);
            if (!sampledFirst) {
                a = rate(sampled, SECONDS);
            }
            System.out.printf("round %d: sampled %.1f req/s, not sampled %.1f req/s%n", r + 1, a, b);
            on += a;
            off += b;
        }
        String report = given().get("/runtime/model/attributions")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertTrue(report.contains("\"lastWindow\":{"), report);
        System.out.printf(
                "%d clients, %d rounds of %d s: sampled %.1f req/s, not sampled %.1f req/s (%.3f)%n",
                CLIENTS, ROUNDS, SECONDS, on / ROUNDS, off / ROUNDS, on / off);

        AttributionWindows windows = new AttributionWindows(1000, () -> null);
        Random random = new Random(3);
        Map<Integer, Long> heap = new LinkedHashMap<>();
        long start = usedAfterGc();
        for (int n = 1; n <= 100_000; n++) {
            windows.add(explanation(random));
            if (n == 1_000 || n == 10_000 || n == 100_000) {
                heap.put(n, usedAfterGc() - start);
            }
        }
        heap.forEach((n, bytes) -> System.out.printf(
                "heap after %,d explanations through the windows: %+.2f MiB%n", n, bytes / 1048576.0));
        assertTrue(windows.last().index() == 100);
    }

    static Explanation explanation(Random r) {
        List<LabelAttribution> labels = new ArrayList<>();
        for (String label : new String[] {"setosa", "versicolor", "virginica"}) {
            double[] small = new double[5];
            double[] big = new double[300];
            for (int i = 0; i < small.length; i++) {
                small[i] = r.nextGaussian();
            }
            for (int i = 0; i < big.length; i++) {
                big[i] = r.nextGaussian();
            }
            Map<String, InputExplanation> inputs = new LinkedHashMap<>();
            inputs.put("x", new TensorAttribution(new long[] {5}, small));
            inputs.put("pixels", new TensorAttribution(new long[] {300}, big));
            labels.add(new LabelAttribution("probabilities", -1, label, 0, 1, null, null, inputs));
        }
        return new Explanation(labels);
    }

    static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Requests per second of {@code body} from {@link #CLIENTS} keep-alive clients for {@code seconds}. */
    double rate(String body, int seconds) throws Exception {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                clients.add(pool.submit(() -> {
                    HttpClient http = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .build();
                    HttpRequest request = HttpRequest.newBuilder(URI.create(explain.toString()))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build();
                    while (System.nanoTime() < end) {
                        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            throw new IllegalStateException(r.statusCode() + " " + r.body());
                        }
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : clients) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return done.get() / (double) seconds;
    }
}
