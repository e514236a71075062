package dev.explainable.serving.runtime.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.NoCredentials;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.api.call.WireValues;
import dev.explainable.serving.runtime.api.vertex.VertexWire;
import dev.explainable.serving.runtime.service.ExplainOptions;
import dev.explainable.serving.runtime.service.ExplanationPipeline;
import dev.explainable.serving.runtime.storage.ObjectStoreServers;
import dev.explainable.serving.runtime.testing.TestOptions;

import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The batch entry against the real fake-gcs-server and gofakes3: shards of a job over two jsonl files with bad lines
 * among good ones, every line once in the results or the errors, the results equal to what the online Vertex
 * {@code :explain} answers for the same instance (the same pipeline and the same {@code VertexWire} mapping
 * {@code VertexPredictionResource} answers with); a retried shard; csv and an image file-list; whole-shard failures.
 */
class BatchShardTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final int GOOD_1 = 600;
    static final int GOOD_2 = 394;
    /** Lines no instance can be made of, or the model refuses. */
    static final List<String> BAD = List.of(
            "{not json",
            "[0.1, 0.2]",
            "[\"a\", \"b\", \"c\", \"d\", \"e\"]",
            "{\"features\": [1, 2, 3]}",
            "[[1, 2, 3, 4, 5]",
            "{\"unknown_input\": [1, 2, 3, 4, 5]}");

    @TempDir
    static Path data;

    static ObjectStoreServers.Server gcs;
    static ObjectStoreServers.Server s3;
    static Storage gcsClient;
    static S3Client s3Client;
    static ExplanationPipeline tabular;
    /** The input files' lines, by name. */
    static final Map<String, List<String>> INPUTS = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws IOException {
        ObjectStoreServers.assumeAvailable();
        Random random = new Random(22);
        INPUTS.put("part-1.jsonl", lines(random, GOOD_1, BAD.subList(0, 3)));
        INPUTS.put("part-2.jsonl", lines(random, GOOD_2, BAD.subList(3, 6)));
        Path in = Files.createDirectories(data.resolve("gcs/inputs/in"));
        for (var e : INPUTS.entrySet()) {
            Files.write(in.resolve(e.getKey()), e.getValue());
        }
        Files.writeString(in.resolve("other.txt"), "not an input: the pattern leaves it out\n");
        Files.createDirectories(data.resolve("gcs/results"));
        Files.writeString(data.resolve("gcs/results/.keep"), "");
        gcs = ObjectStoreServers.fakeGcs(data.resolve("gcs"));
        gcsClient = StorageOptions.http()
                .setHost(gcs.endpoint())
                .setProjectId("test")
                .setCredentials(NoCredentials.getInstance())
                .build()
                .getService();
        System.setProperty("aws.accessKeyId", "test-key");
        System.setProperty("aws.secretAccessKey", "test-secret");
        s3 = ObjectStoreServers.gofakes3InMemory("batch");
        s3Client = S3Client.builder()
                .endpointOverride(URI.create(s3.endpoint()))
                .forcePathStyle(true)
                .region(Region.EU_WEST_1)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .build();
        for (var e : INPUTS.entrySet()) {
            s3Client.putObject(
                    b -> b.bucket("batch").key("in/" + e.getKey()),
                    RequestBody.fromString(String.join("\n", e.getValue()) + "\n"));
        }
        tabular = TestModels.load("tabular_classifier", 50).pipeline();
    }

    @AfterAll
    static void stop() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        if (s3Client != null) {
            s3Client.close();
        }
        if (gcs != null) {
            gcs.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    /** {@code good} distinct 5-value instances with {@code bad} lines and a blank line spread among them. */
    static List<String> lines(Random random, int good, List<String> bad) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < good; i++) {
            StringBuilder b = new StringBuilder("[");
            for (int j = 0; j < 5; j++) {
                b.append(j == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", random.nextDouble() * 4 - 2));
            }
            lines.add(b.append("]").toString());
        }
        for (int i = 0; i < bad.size(); i++) {
            lines.add(1 + i * 97, bad.get(i));
        }
        lines.add(50, "");
        return lines;
    }

    static Map<String, String> gcsStore() {
        return TestOptions.properties(
                "explain.storage.gcs.endpoint", gcs.endpoint(),
                "explain.storage.anonymous", "true",
                "explain.storage.attempts", "2");
    }

    static Map<String, String> s3Store() {
        return TestOptions.properties(
                "explain.storage.s3.endpoint", s3.endpoint(),
                "explain.storage.s3.path-style", "true",
                "explain.storage.s3.region", "eu-west-1",
                "explain.storage.attempts", "2");
    }

    /** Runs one shard in this JVM with the test's pipeline; returns its exit status. */
    static int shard(ExplanationPipeline pipeline, Map<String, String> properties, Path terminationLog) {
        return BatchMain.run(TestOptions.config(properties), Map.of(), terminationLog, pipeline);
    }

    static Map<String, String> job(Map<String, String> store, String inputs, String output, int index) {
        Map<String, String> p = new LinkedHashMap<>(store);
        p.put("explain.batch.input-uris", inputs);
        p.put("explain.batch.output-directory", output);
        p.put("explain.batch.shard-count", "3");
        p.put("explain.batch.shard-index", String.valueOf(index));
        return p;
    }

    /** What the online Vertex :explain answers for one instance: its prediction and its explanation's JSON. */
    static JsonNode online(ExplanationPipeline pipeline, JsonNode instance) {
        List<JsonNode> instances = List.of(instance);
        ExplanationPipeline.ExplainedPredictions answer = pipeline.explainAndPredict(instances, ExplainOptions.NONE);
        VertexWire.ExplainResponse r = VertexWire.ExplainResponse.of(
                answer.explanations(), instances, "v1", WireValues.predictionList(answer.predictions()));
        com.fasterxml.jackson.databind.node.ObjectNode o = JSON.createObjectNode();
        o.set("prediction", JSON.valueToTree(r.predictions().get(0)));
        o.set("explanation", JSON.valueToTree(r.explanations().get(0)));
        return o;
    }

    @Test
    void threeShardsOnFakeGcsWriteEveryLineOnceAsTheOnlineExplainAnswersIt(@TempDir Path tmp) throws IOException {
        Path log = Files.createFile(tmp.resolve("termination-log"));
        for (int i = 0; i < 3; i++) {
            assertEquals(0, shard(tabular, job(gcsStore(), "gs://inputs/in/part-*.jsonl", "gs://results/job", i), log));
        }
        Function<String, String> read =
                name -> new String(gcsClient.readAllBytes(BlobId.of("results", "job/" + name)), StandardCharsets.UTF_8);
        checkJob(read);
        String shard2 = read.apply("explanation.results-00002-of-00003");
        String errors2 = read.apply("prediction.errors_stats-00002-of-00003");
        assertEquals(
                "{\"successfulCount\":" + shard2.lines().count() + ",\"failedCount\":"
                        + errors2.lines().count() + "}",
                Files.readString(log).strip());

        // a retried shard replaces its files: the same content, no line twice
        String before = read.apply("explanation.results-00001-of-00003");
        assertEquals(0, shard(tabular, job(gcsStore(), "gs://inputs/in/part-*.jsonl", "gs://results/job", 1), log));
        assertEquals(before, read.apply("explanation.results-00001-of-00003"));
        checkJob(read);
    }

    @Test
    void threeShardsOnGofakes3AndTwoInputUris() {
        for (int i = 0; i < 3; i++) {
            assertEquals(
                    0,
                    shard(
                            tabular,
                            job(s3Store(), "s3://batch/in/part-2.jsonl, s3://batch/in/part-1*", "s3://batch/out/", i),
                            Path.of("/nonexistent/termination-log")));
        }
        checkJob(name -> s3Client.getObjectAsBytes(b -> b.bucket("batch").key("out/" + name))
                .asUtf8String());
        // run twice, the first shard's files are replaced, not added to
        assertEquals(
                0,
                shard(
                        tabular,
                        job(s3Store(), "s3://batch/in/part-*.jsonl", "s3://batch/out", 0),
                        Path.of("/nonexistent/termination-log")));
        checkJob(name -> s3Client.getObjectAsBytes(b -> b.bucket("batch").key("out/" + name))
                .asUtf8String());
    }

    /**
     * Every good line once across the shards' results, equal to the online answer; every bad line once in the errors;
     * each shard's lines are its own (line n of the f-th file in shard (f + n) mod 3).
     */
    static void checkJob(Function<String, String> read) {
        Map<String, JsonNode> results = new HashMap<>();
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String suffix = String.format("-%05d-of-00003", i);
            for (String line :
                    read.apply("explanation.results" + suffix).lines().toList()) {
                JsonNode r = readTree(line);
                assertEquals(List.of("instance", "prediction", "explanation"), fieldNames(r), line);
                assertTrue(owner(r.get("instance").toString()) == i, "shard " + i + " wrote " + r.get("instance"));
                JsonNode previous = results.put(r.get("instance").toString(), r);
                assertEquals(null, previous, "twice: " + line);
            }
            for (String line :
                    read.apply("prediction.errors_stats" + suffix).lines().toList()) {
                JsonNode e = readTree(line);
                assertEquals("INVALID_ARGUMENT", e.at("/error/status").asText(), line);
                assertFalse(e.at("/error/message").asText().isBlank(), line);
                errors.add(
                        e.get("instance").isTextual()
                                ? e.get("instance").asText()
                                : e.get("instance").toString());
            }
        }
        assertEquals(GOOD_1 + GOOD_2, results.size());
        assertEquals(
                BAD.stream()
                        .map(b -> b.startsWith("{not") || b.startsWith("[[")
                                ? b
                                : readTree(b).toString())
                        .sorted()
                        .toList(),
                errors.stream().sorted().toList());
        for (var e : INPUTS.entrySet()) {
            for (String line : e.getValue()) {
                if (line.isBlank() || BAD.contains(line)) {
                    continue;
                }
                JsonNode instance = readTree(line);
                JsonNode r = results.get(instance.toString());
                assertTrue(r != null, "missing: " + line);
            }
        }
        // the attributions and predictions are the online :explain's (all of them for shard 0's, a sample else)
        int checked = 0;
        for (JsonNode r : results.values()) {
            if (owner(r.get("instance").toString()) == 0 || checked++ % 10 == 0) {
                JsonNode expected = online(tabular, r.get("instance"));
                assertEquals(
                        expected.get("prediction"),
                        r.get("prediction"),
                        r.get("instance").toString());
                assertEquals(
                        expected.get("explanation"),
                        r.get("explanation"),
                        r.get("instance").toString());
            }
        }
    }

    /** The shard of the line that holds {@code instance}: (file + line) mod 3, over the inputs in sorted order. */
    static int owner(String instance) {
        Integer shard = owners().get(instance);
        if (shard == null) {
            throw new AssertionError("no input line holds " + instance);
        }
        return shard;
    }

    private static Map<String, Integer> owners;

    private static synchronized Map<String, Integer> owners() {
        if (owners == null) {
            owners = new HashMap<>();
            int f = 0;
            for (List<String> lines : INPUTS.values()) {
                for (int n = 0; n < lines.size(); n++) {
                    if (!lines.get(n).isBlank() && !BAD.contains(lines.get(n))) {
                        owners.put(readTree(lines.get(n)).toString(), (f + n) % 3);
                    }
                }
                f++;
            }
        }
        return owners;
    }

    static JsonNode readTree(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new AssertionError(s, e);
        }
    }

    static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
