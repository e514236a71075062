package dev.explainable.serving.runtime.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.testing.Management;

/**
 * Instances per second of one batch shard against the online {@code :explain} path's throughput at 8 and 32
 * clients, on the same model (the tabular classifier, the runtime's defaults: Integrated Gradients, 50 steps) and the
 * same machine, in one run: first the test runtime answers one-instance {@code :explain} calls from 8, then 32 client
 * threads, each on its own keep-alive connection ({@code java.net.http}, HTTP/1.1), back to back, after a warm-up;
 * then a shard runs as its own JVM ({@link ShardProcess}, the image's JVM options for a 2 GiB container) over
 * {@code benchmark.instances} lines of a local jsonl file, its rate measured from its first results in its local
 * results file (the first 256 KiB written, so after the JVM's start and the model's load) to its end (the whole
 * process's rate is printed too). Last,
 * its peak memory (VmHWM, polled from {@code /proc}) over a generated ~1 GB jsonl file, in {@code target/} and
 * deleted afterwards; that shard is one of {@code benchmark.big-shards}, so it reads and skips the whole file but
 * explains only its share.
 *
 * <p>Run: {@code ./mvnw -pl runtime verify -Dtest=BatchThroughputBenchmark -DexcludedTestGroups=none}. Not a timed
 * test: it asserts only that the figures were measured.
 */
@Tag("benchmark")
@QuarkusTest
@TestProfile(BatchThroughputBenchmark.Queue.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BatchThroughputBenchmark {

    /** As tools/bench/throughput.py runs the runtime: 32 clients queue instead of some getting 429. */
    public static class Queue implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("explain.admission.max-queued-explanations", "64");
        }
    }

    static final int WARMUP_S = Integer.getInteger("benchmark.warmup-seconds", 20);
    static final int SECONDS = Integer.getInteger("benchmark.seconds", 15);
    static final int INSTANCES = Integer.getInteger("benchmark.instances", 100_000);
    static final long BIG_BYTES = Long.getLong("benchmark.big-bytes", 1L << 30);
    static final int BIG_SHARDS = Integer.getInteger("benchmark.big-shards", 100);
    /** The image's JVM options in a container of the operator's default 2 GiB. */
    static final List<String> IMAGE_JVM =
            List.of("-XX:MaxRAM=2147483648", "-XX:MaxRAMPercentage=40", "-XX:+ExitOnOutOfMemoryError");

    static final Map<String, String> ROWS = new java.util.LinkedHashMap<>();

    @TestHTTPResource("/")
    URL base;

    /** The model the test runtime serves (its profile's) and the shard explains. */
    String model() {
        return "tabular_classifier";
    }

    /** One instance's JSON, as a request's instances hold it and as a jsonl line. */
    String instance() {
        return TestModels.expected("tabular_classifier").get("instances").get(0).toString();
    }

    /** The jsonl lines of the shard's input, cycled: distinct instances where the model allows. */
    List<String> pool() {
        return tabularPool();
    }

    int instances() {
        return INSTANCES;
    }

    @Test
    @Order(1)
    void online() throws Exception {
        awaitReady();
        URI uri = URI.create(base.toString().replaceAll("/$", "") + "/v1/projects/p/models/iris:explain");
        String body = "{\"instances\": [" + instance() + "]}";
        clients(uri, body, 8, WARMUP_S);
        for (int clients : new int[] {8, 32}) {
            double rate = clients(uri, body, clients, SECONDS);
            ROWS.put(model() + ": online :explain, " + clients + " clients", String.format(Locale.ROOT, "%.0f", rate));
        }
        print();
    }

    @Test
    @Order(2)
    void batchShard() throws Exception {
        Path dir = Files.createDirectories(Path.of("target/batch-bench"));
        Path in = dir.resolve("in.jsonl");
        List<String> pool = pool();
        int instances = instances();
        try (BufferedWriter w = Files.newBufferedWriter(in, StandardCharsets.UTF_8)) {
            for (int i = 0; i < instances; i++) {
                w.write(pool.get(i % pool.size()));
                w.newLine();
            }
        }
        Path out = dir.resolve("out");
        long start = System.nanoTime();
        ShardProcess shard = ShardProcess.start(dir, env(model(), in, out, 1, 0, true), IMAGE_JVM);
        Peak peak = Peak.watch(shard.process);
        // the rate from the first results on the local file (its first 256 KiB buffer written) to the process's end
        long firstBytes = 0;
        long first = 0;
        while (shard.process.isAlive() && firstBytes == 0) {
            firstBytes = shard.resultsBytes().orElse(0);
            first = System.nanoTime();
            Thread.sleep(5);
        }
        assertTrue(shard.process.waitFor(20, TimeUnit.MINUTES), shard.output());
        long end = System.nanoTime();
        double whole = (end - start) / 1e9;
        assertEquals(0, shard.process.exitValue(), shard.output());
        Path results = out.resolve("explanation.results-00000-of-00001");
        assertEquals(instances, Files.readAllLines(results).size());
        assertTrue(firstBytes > 0, "the shard ended before its first results were seen");
        double bytesPerLine = (double) Files.size(results) / instances;
        double after = instances - firstBytes / bytesPerLine;
        ROWS.put(
                model() + ": batch shard, " + instances + " instances (from its first results to its end)",
                String.format(Locale.ROOT, "%.0f", after / ((end - first) / 1e9)));
        ROWS.put(
                model() + ": batch shard, the whole process (JVM start, model load)",
                String.format(Locale.ROOT, "%.0f  (%.1f s; peak RSS %d MiB)", instances / whole, whole, peak.mib()));
        delete(dir);
        print();
    }

    @Test
    @Order(3)
    void peakMemoryOnOneGigabyte() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(model().equals("tabular_classifier"), "the tabular model only");
        Path dir = Files.createDirectories(Path.of("target/batch-bench"));
        Path in = dir.resolve("big.jsonl");
        List<String> pool = tabularPool();
        long bytes = 0;
        long lines = 0;
        try (BufferedWriter w = Files.newBufferedWriter(in, StandardCharsets.UTF_8)) {
            while (bytes < BIG_BYTES) {
                String line = pool.get((int) (lines++ % pool.size()));
                w.write(line);
                w.newLine();
                bytes += line.length() + 1;
            }
        }
        try {
            Path out = dir.resolve("big-out");
            long start = System.nanoTime();
            ShardProcess shard = ShardProcess.start(dir, env(model(), in, out, BIG_SHARDS, 0, true), IMAGE_JVM);
            Peak peak = Peak.watch(shard.process);
            assertTrue(shard.process.waitFor(30, TimeUnit.MINUTES), shard.output());
            double whole = (System.nanoTime() - start) / 1e9;
            assertEquals(0, shard.process.exitValue(), shard.output());
            long explained;
            try (var s = Files.lines(out.resolve(String.format("explanation.results-00000-of-%05d", BIG_SHARDS)))) {
                explained = s.count();
            }
            // the shard's own count of the input bytes it read (its range, and what reads buffer past it)
            java.util.regex.Matcher read =
                    java.util.regex.Pattern.compile("input bytes read: (\\d+)").matcher(shard.output());
            assertTrue(read.find(), shard.output());
            long readBytes = Long.parseLong(read.group(1));
            ROWS.put(
                    String.format(
                            Locale.ROOT,
                            "1 GB input (%d MiB, %d lines), shard 1 of %d, explained %d",
                            bytes >> 20,
                            lines,
                            BIG_SHARDS,
                            explained),
                    String.format(
                            Locale.ROOT,
                            "peak RSS %d MiB, %.1f s, read %.1f MiB of the input",
                            peak.mib(),
                            whole,
                            readBytes / 1048576.0));
        } finally {
            delete(dir);
        }
        print();
    }

    /** Deletes {@code dir} and everything in it. */
    static void delete(Path dir) throws IOException {
        try (var all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static Map<String, String> env(String model, Path in, Path out, int count, int index, boolean explain) {
        Map<String, String> env = new HashMap<>();
        env.put("EXPLAIN_MODEL_DIR", TestModels.dir(model).toAbsolutePath().toString());
        env.put("EXPLAIN_BATCH_INPUT_URIS", in.toAbsolutePath().toString());
        env.put("EXPLAIN_BATCH_OUTPUT_DIRECTORY", out.toAbsolutePath().toString());
        env.put("EXPLAIN_BATCH_SHARD_COUNT", String.valueOf(count));
        env.put("EXPLAIN_BATCH_SHARD_INDEX", String.valueOf(index));
        env.put("EXPLAIN_BATCH_GENERATE_EXPLANATION", String.valueOf(explain));
        env.put("MALLOC_ARENA_MAX", "2");
        for (String name : List.of("EXPLAIN_BATCH_INSTANCES_PER_CALL", "EXPLAIN_BATCH_CALLS_IN_FLIGHT")) {
            String v = System.getProperty("benchmark." + name);
            if (v != null) {
                env.put(name, v);
            }
        }
        return env;
    }

    /** 1,000 distinct 5-value instances. */
    static List<String> tabularPool() {
        Random random = new Random(22);
        List<String> pool = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            StringBuilder b = new StringBuilder("[");
            for (int j = 0; j < 5; j++) {
                b.append(j == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", random.nextDouble() * 4 - 2));
            }
            pool.add(b.append("]").toString());
        }
        return pool;
    }

    /** {@code clients} threads sending back to back for {@code seconds}; answers 200 per second. */
    static double clients(URI uri, String body, int clients, int seconds) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        AtomicLong other = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                HttpClient client = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .build();
                HttpRequest request = HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build();
                while (!stop.get()) {
                    try {
                        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                        if (stop.get()) {
                            break;
                        }
                        if (r.statusCode() == 200) {
                            ok.incrementAndGet();
                        } else if (other.getAndIncrement() == 0) {
                            System.out.println("first failed call: " + r.statusCode() + " "
                                    + r.body()
                                            .substring(0, Math.min(300, r.body().length())));
                        }
                    } catch (Exception e) {
                        other.incrementAndGet();
                    }
                }
            });
            t.setDaemon(true);
            threads.add(t);
        }
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        Thread.sleep(seconds * 1_000L);
        stop.set(true);
        long took = System.nanoTime() - start;
        long answered = ok.get();
        for (Thread t : threads) {
            t.join(30_000);
        }
        System.out.printf("%d clients, %d s: %d answers 200, %d others%n", clients, seconds, answered, other.get());
        assertTrue(answered > 0);
        return answered / (took / 1e9);
    }

    static void awaitReady() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            HttpResponse<String> r = client.send(
                    HttpRequest.newBuilder(Management.uri("/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the model did not become ready");
    }

    static void print() {
        System.out.printf("%nIG 50 steps, instances/s%n");
        ROWS.forEach((k, v) -> System.out.printf("%-88s %s%n", k, v));
    }

    /** The peak resident memory of a process, VmHWM polled from /proc while it runs. */
    static final class Peak {
        private final AtomicLong kib = new AtomicLong();

        static Peak watch(Process p) {
            Peak peak = new Peak();
            Path status = Path.of("/proc/" + p.pid() + "/status");
            Thread t = new Thread(() -> {
                while (p.isAlive()) {
                    try {
                        for (String line : Files.readAllLines(status)) {
                            if (line.startsWith("VmHWM:") || line.startsWith("VmRSS:")) {
                                long v = Long.parseLong(line.replaceAll("[^0-9]", ""));
                                peak.kib.accumulateAndGet(v, Math::max);
                            }
                        }
                        Thread.sleep(100);
                    } catch (IOException | RuntimeException e) {
                        return; // it ended
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            return peak;
        }

        long mib() {
            return kib.get() >> 10;
        }
    }
}
