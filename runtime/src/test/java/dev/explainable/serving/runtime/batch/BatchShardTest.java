package dev.explainable.serving.runtime.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
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
import dev.explainable.serving.testkit.JsonNumbers;

import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The batch entry against the real fake-gcs-server and gofakes3: shards of a job over two jsonl files with bad lines
 * among good ones, every line once in the results or the errors, the results equal to what the online Vertex
 * {@code :explain} answers for the same instance (the same pipeline and the same {@code VertexWire} mapping
 * {@code VertexPredictionResource} answers with); a retried shard; csv and an image file-list; TFRecord files of
 * images, plain and gzip, and broken ones; shards reading their byte ranges of the input only; whole-shard failures.
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
        // (its lines in the same order; their numbers up to float32 rounding: runs shared across the shard's
        // concurrent batches may pair rows differently)
        List<String> again =
                read.apply("explanation.results-00001-of-00003").lines().toList();
        List<String> first = before.lines().toList();
        assertEquals(first.size(), again.size());
        for (int l = 0; l < first.size(); l++) {
            assertEquals(
                    null,
                    JsonNumbers.difference(
                            readTree(first.get(l)), readTree(again.get(l)), JsonNumbers.FLOAT32_TOLERANCE),
                    first.get(l));
        }
        checkJob(read);
        // the profile and the errors file are put first, the results file last: a results file always has both
        for (int i = 0; i < 3; i++) {
            String suffix = String.format(Locale.ROOT, "-%05d-of-00003", i);
            com.google.cloud.storage.Blob profile =
                    gcsClient.get(BlobId.of("results", "job/attribution.profile" + suffix + ".json"));
            com.google.cloud.storage.Blob errors =
                    gcsClient.get(BlobId.of("results", "job/prediction.errors_stats" + suffix));
            com.google.cloud.storage.Blob results =
                    gcsClient.get(BlobId.of("results", "job/explanation.results" + suffix));
            assertTrue(
                    profile.getGeneration() < errors.getGeneration()
                            && errors.getGeneration() < results.getGeneration(),
                    "shard " + i + ": profile generation " + profile.getGeneration() + ", errors "
                            + errors.getGeneration() + ", results " + results.getGeneration());
            // the shard's profile counts each explained line once (one label each: the top one)
            JsonNode labels = readTree(read.apply("attribution.profile" + suffix + ".json"))
                    .get("labels");
            long counted = 0;
            for (JsonNode l : labels) {
                counted += l.get("count").asLong();
                assertEquals(5, l.get("meanAbsAttribution").size(), labels.toString());
            }
            assertEquals(read.apply("explanation.results" + suffix).lines().count(), counted);
        }
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

    @Test
    void csvRowsAfterTheHeaderAreArrayInstances(@TempDir Path tmp) throws IOException {
        Files.write(
                tmp.resolve("rows.csv"),
                List.of(
                        "sepal_length,sepal_width,petal_length,petal_width,extra",
                        "0.3,-1.2,2.0,0.7,-0.4",
                        "\"1.5\",0.2,-0.8,-1.1,0.9",
                        "1,2,three,4,5",
                        "",
                        "0.5,0.5,0.5,0.5,0.5"));
        Map<String, String> p = TestOptions.properties(
                "explain.batch.input-uris", tmp.resolve("*.csv").toString(),
                "explain.batch.instances-format", "csv",
                "explain.batch.output-directory", tmp.resolve("out").toString());
        assertEquals(0, shard(tabular, p, tmp.resolve("no-log")));
        List<String> results = Files.readAllLines(tmp.resolve("out/explanation.results-00000-of-00001"));
        List<String> errors = Files.readAllLines(tmp.resolve("out/prediction.errors_stats-00000-of-00001"));
        assertEquals(3, results.size(), String.join("\n", results));
        assertEquals(1, errors.size());
        assertEquals(
                "[1,2,\"three\",4,5]", readTree(errors.get(0)).get("instance").toString());
        JsonNode first = readTree(results.get(0));
        assertEquals("[0.3,-1.2,2.0,0.7,-0.4]", first.get("instance").toString());
        JsonNode expected = online(tabular, first.get("instance"));
        assertEquals(expected.get("explanation"), first.get("explanation"));
        assertEquals(
                "[1.5,0.2,-0.8,-1.1,0.9]",
                readTree(results.get(1)).get("instance").toString());
        // no temporary file is left beside the results, the errors and the shard's attribution profile
        try (var files = Files.list(tmp.resolve("out"))) {
            assertEquals(3, files.count());
        }
    }

    @Test
    void keyFieldAndIncludedFieldsFromJsonlObjectsOnGofakes3() throws IOException {
        List<String> lines = List.of(
                "{\"id\": \"a-1\", \"f1\": 0.3, \"f2\": -1.2, \"f3\": 2.0, \"f4\": 0.7, \"f5\": -0.4, \"note\": \"x\"}",
                "{\"f5\": 0.9, \"f4\": -1.1, \"id\": \"a-2\", \"f3\": -0.8, \"f2\": 0.2, \"f1\": 1.5}",
                "{\"f1\": 1, \"f2\": 2, \"f3\": 3, \"f4\": 4, \"f5\": 5}",
                "{\"id\": \"a-4\", \"f1\": 1, \"f2\": 2, \"f3\": 3, \"f4\": 4}",
                "{\"id\": \"a-5\", \"f1\": \"one\", \"f2\": 2, \"f3\": 3, \"f4\": 4, \"f5\": 5}");
        s3Client.putObject(
                b -> b.bucket("batch").key("keyed/in.jsonl"), RequestBody.fromString(String.join("\n", lines)));
        Map<String, String> p = new LinkedHashMap<>(s3Store());
        p.put("explain.batch.input-uris", "s3://batch/keyed/in.jsonl");
        p.put("explain.batch.output-directory", "s3://batch/keyed/out");
        p.put("explain.batch.instance-type", "array");
        p.put("explain.batch.key-field", "id");
        p.put("explain.batch.included-fields", "f1,f2,f3,f4,f5");
        assertEquals(0, shard(tabular, p, Path.of("/nonexistent/termination-log")));
        List<String> results = s3Client.getObjectAsBytes(
                        b -> b.bucket("batch").key("keyed/out/explanation.results-00000-of-00001"))
                .asUtf8String()
                .lines()
                .toList();
        List<String> errors = s3Client.getObjectAsBytes(
                        b -> b.bucket("batch").key("keyed/out/prediction.errors_stats-00000-of-00001"))
                .asUtf8String()
                .lines()
                .toList();
        assertEquals(2, results.size(), String.join("\n", results));
        JsonNode first = readTree(results.get(0));
        assertEquals(List.of("key", "prediction", "explanation"), fieldNames(first));
        assertEquals("a-1", first.get("key").asText());
        JsonNode expected = online(tabular, readTree("[0.3, -1.2, 2.0, 0.7, -0.4]"));
        assertEquals(expected.get("prediction"), first.get("prediction"));
        assertEquals(expected.get("explanation"), first.get("explanation"));
        JsonNode second = readTree(results.get(1));
        assertEquals("a-2", second.get("key").asText());
        assertEquals(
                online(tabular, readTree("[1.5, 0.2, -0.8, -1.1, 0.9]")).get("explanation"), second.get("explanation"));

        assertEquals(3, errors.size(), String.join("\n", errors));
        JsonNode noKey = readTree(errors.get(0));
        assertEquals("INVALID_ARGUMENT", noKey.at("/error/status").asText());
        assertEquals(
                "the instance has no key field 'id' (explain.batch.key-field)",
                noKey.at("/error/message").asText());
        JsonNode noField = readTree(errors.get(1));
        assertEquals(
                "the instance has no field 'f5' (explain.batch.included-fields)",
                noField.at("/error/message").asText());
        // the model refuses it: the errors line carries the key, not the instance
        JsonNode refused = readTree(errors.get(2));
        assertEquals(List.of("key", "error"), fieldNames(refused), errors.get(2));
        assertEquals("a-5", refused.get("key").asText());
    }

    @Test
    void csvWithAKeyColumnAndExcludedFields(@TempDir Path tmp) throws IOException {
        Files.write(
                tmp.resolve("rows.csv"),
                List.of(
                        "f1,id,f2,f3,comment,f4,f5",
                        "0.3,r-1,-1.2,2.0,hello,0.7,-0.4",
                        "1.5,r-2,0.2,-0.8,\"a, b\",-1.1,0.9",
                        "1,r-3,2,3"));
        Map<String, String> p = TestOptions.properties(
                "explain.batch.input-uris", tmp.resolve("*.csv").toString(),
                "explain.batch.instances-format", "csv",
                "explain.batch.key-field", "id",
                "explain.batch.excluded-fields", "comment",
                "explain.batch.output-directory", tmp.resolve("out").toString());
        assertEquals(0, shard(tabular, p, tmp.resolve("no-log")));
        List<String> results = Files.readAllLines(tmp.resolve("out/explanation.results-00000-of-00001"));
        List<String> errors = Files.readAllLines(tmp.resolve("out/prediction.errors_stats-00000-of-00001"));
        assertEquals(2, results.size(), String.join("\n", results));
        JsonNode first = readTree(results.get(0));
        assertEquals(List.of("key", "prediction", "explanation"), fieldNames(first));
        assertEquals("r-1", first.get("key").asText());
        assertEquals(
                online(tabular, readTree("[0.3, -1.2, 2.0, 0.7, -0.4]")).get("explanation"), first.get("explanation"));
        assertEquals("r-2", readTree(results.get(1)).get("key").asText());
        assertEquals(1, errors.size());
        assertEquals(
                "the row has 4 cells, the header 7 names",
                readTree(errors.get(0)).at("/error/message").asText());
    }

    @Test
    void includedAndExcludedFieldsTogetherExitTwo(@TempDir Path tmp) throws IOException {
        Path log = Files.createFile(tmp.resolve("termination-log"));
        Map<String, String> p = TestOptions.properties(
                "explain.batch.input-uris",
                tmp.resolve("*.jsonl").toString(),
                "explain.batch.output-directory",
                tmp.resolve("out").toString(),
                "explain.batch.included-fields",
                "f1,f2",
                "explain.batch.excluded-fields",
                "f3");
        PrintStream stderr = System.err;
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            assertEquals(2, shard(tabular, p, log));
        } finally {
            System.setErr(stderr);
        }
        assertTrue(
                Files.readString(log).contains("included-fields and explain.batch.excluded-fields"),
                Files.readString(log));
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void anImageModelFromAFileListOnGofakes3(@TempDir Path tmp) throws IOException {
        byte[] jpeg = Files.readAllBytes(TestModels.dir("jpeg_cnn").resolve("sample.jpg"));
        s3Client.putObject(b -> b.bucket("batch").key("images/a.jpg"), RequestBody.fromBytes(jpeg));
        s3Client.putObject(
                b -> b.bucket("batch").key("images/broken.jpg"), RequestBody.fromString("not a jpeg at all"));
        s3Client.putObject(
                b -> b.bucket("batch").key("lists/images.txt"),
                RequestBody.fromString(
                        "s3://batch/images/a.jpg\ns3://batch/images/broken.jpg\ns3://batch/images/missing.jpg\n"));
        ExplanationPipeline image = TestModels.load("jpeg_cnn", 50).pipeline();
        Map<String, String> p = new LinkedHashMap<>(s3Store());
        p.put("explain.batch.input-uris", "s3://batch/lists/*.txt");
        p.put("explain.batch.instances-format", "file-list");
        p.put("explain.batch.output-directory", tmp.resolve("out").toString());
        assertEquals(0, shard(image, p, tmp.resolve("no-log")));
        List<String> results = Files.readAllLines(tmp.resolve("out/explanation.results-00000-of-00001"));
        List<String> errors = Files.readAllLines(tmp.resolve("out/prediction.errors_stats-00000-of-00001"));
        assertEquals(1, results.size());
        JsonNode r = readTree(results.get(0));
        assertEquals("s3://batch/images/a.jpg", r.get("instance").asText());
        JsonNode instance =
                JSON.createObjectNode().put("b64", Base64.getEncoder().encodeToString(jpeg));
        assertEquals(online(image, instance).get("explanation"), r.get("explanation"));
        assertEquals(
                List.of("s3://batch/images/broken.jpg", "s3://batch/images/missing.jpg"),
                errors.stream()
                        .map(e -> readTree(e).get("instance").asText())
                        .sorted()
                        .toList(),
                String.join("\n", errors));
    }

    @Test
    void jsonlB64ImagesAndPredictionsOnly(@TempDir Path tmp) throws IOException {
        byte[] jpeg = Files.readAllBytes(TestModels.dir("jpeg_cnn").resolve("sample.jpg"));
        String b64 = Base64.getEncoder().encodeToString(jpeg);
        Files.write(
                tmp.resolve("images.jsonl"),
                List.of(
                        "{\"b64\": \"" + b64 + "\"}",
                        "{\"b64\": \"" + Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}) + "\"}"));
        ExplanationPipeline image = TestModels.load("jpeg_cnn", 50).pipeline();
        Map<String, String> p = TestOptions.properties(
                "explain.batch.input-uris", tmp.resolve("images.jsonl").toString(),
                "explain.batch.output-directory", tmp.resolve("out").toString(),
                "explain.batch.generate-explanation", "false");
        assertEquals(0, shard(image, p, tmp.resolve("no-log")));
        List<String> results = Files.readAllLines(tmp.resolve("out/prediction.results-00000-of-00001"));
        List<String> errors = Files.readAllLines(tmp.resolve("out/prediction.errors_stats-00000-of-00001"));
        assertEquals(1, results.size());
        assertEquals(1, errors.size(), String.join("\n", errors));
        JsonNode r = readTree(results.get(0));
        assertEquals(List.of("instance", "prediction"), fieldNames(r));
        assertEquals(
                JSON.valueToTree(WireValues.predictionList(image.predict(List.of(r.get("instance"))))
                        .get(0)),
                r.get("prediction"));
    }

    /**
     * TFRecord files TensorFlow wrote, plain and gzip, on gofakes3: each record is the instance {"b64": ...} of its
     * bytes, explained as the online :explain explains it; the record that is no image is an errors line.
     */
    @Test
    void tfRecordAndTfRecordGzipFilesOfImagesOnGofakes3(@TempDir Path tmp) throws IOException {
        ExplanationPipeline image = TestModels.load("jpeg_cnn", 50).pipeline();
        List<byte[]> records = TfRecords.fixtureRecords();
        for (String format : List.of("tf-record", "tf-record-gzip")) {
            String name = format.equals("tf-record") ? "images.tfrecord" : "images.tfrecord.gz";
            s3Client.putObject(
                    b -> b.bucket("batch").key("records/" + format + "/" + name),
                    RequestBody.fromFile(TfRecords.FIXTURES.resolve(name)));
            Map<String, String> p = new LinkedHashMap<>(s3Store());
            p.put("explain.batch.input-uris", "s3://batch/records/" + format + "/*");
            p.put("explain.batch.instances-format", format);
            p.put("explain.batch.output-directory", tmp.resolve(format).toString());
            assertEquals(0, shard(image, p, tmp.resolve("no-log")));
            List<String> results = Files.readAllLines(tmp.resolve(format + "/explanation.results-00000-of-00001"));
            List<String> errors = Files.readAllLines(tmp.resolve(format + "/prediction.errors_stats-00000-of-00001"));
            assertEquals(2, results.size(), format + ": " + String.join("\n", results));
            for (int i = 0; i < 2; i++) {
                JsonNode r = readTree(results.get(i));
                JsonNode instance = b64(records.get(i));
                assertEquals(instance, r.get("instance"), format);
                JsonNode expected = online(image, instance);
                assertEquals(expected.get("prediction"), r.get("prediction"), format);
                assertEquals(expected.get("explanation"), r.get("explanation"), format);
            }
            assertEquals(1, errors.size(), format + ": " + String.join("\n", errors));
            assertEquals(b64(records.get(2)), readTree(errors.get(0)).get("instance"));
        }
    }

    static JsonNode b64(byte[] bytes) {
        return JSON.createObjectNode().put("b64", Base64.getEncoder().encodeToString(bytes));
    }

    /**
     * Broken TFRecord files on fake-gcs-server, over 1 and 2 shards: a record with a wrong data CRC and one over
     * explain.max-request-bytes are an errors line each and the file reads on; a length with a wrong CRC is one errors
     * line and the rest of its file is skipped; the job goes on with the next file. A file is one shard's, whole.
     */
    @Test
    void corruptAndOversizedRecordsAreErrorsLinesAndTheJobGoesOn(@TempDir Path tmp) throws IOException {
        ExplanationPipeline image = TestModels.load("jpeg_cnn", 50).pipeline();
        List<byte[]> records = TfRecords.fixtureRecords();
        byte[] sample = records.get(0);
        byte[] gradient = records.get(1);
        byte[] corrupt = TfRecords.frame(gradient);
        corrupt[100] ^= 0x10; // a data byte
        byte[] oversized = new byte[150_000];
        new Random(1).nextBytes(oversized);
        byte[] wrongLength = TfRecords.frame(gradient);
        wrongLength[1] ^= 1; // the length: its CRC no longer matches
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(
                "1-mixed.tfrecord",
                concat(TfRecords.frame(sample), corrupt, TfRecords.frame(oversized), TfRecords.frame(gradient)));
        files.put(
                "2-broken.tfrecord",
                concat(TfRecords.frame(sample), wrongLength, TfRecords.frame(gradient), TfRecords.frame(sample)));
        files.put("3-after.tfrecord", TfRecords.frame(gradient));
        for (var e : files.entrySet()) {
            gcsClient.create(
                    com.google.cloud.storage.BlobInfo.newBuilder(BlobId.of("inputs", "records/" + e.getKey()))
                            .build(),
                    e.getValue());
        }
        long corruptAt = 16 + sample.length;
        long oversizedAt = corruptAt + corrupt.length;
        long brokenAt = 16 + sample.length;
        for (int count : new int[] {1, 2}) {
            List<String> results = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Map<String, String> p =
                        job(gcsStore(), "gs://inputs/records/*.tfrecord", "gs://results/tfr-" + count, i);
                p.put("explain.batch.shard-count", String.valueOf(count));
                p.put("explain.batch.instances-format", "tf-record");
                p.put("explain.max-request-bytes", "100000");
                assertEquals(0, shard(image, p, tmp.resolve("no-log")));
                String suffix = String.format(Locale.ROOT, "-%05d-of-%05d", i, count);
                results.addAll(new String(
                                gcsClient.readAllBytes(
                                        BlobId.of("results", "tfr-" + count + "/explanation.results" + suffix)),
                                StandardCharsets.UTF_8)
                        .lines()
                        .toList());
                errors.addAll(new String(
                                gcsClient.readAllBytes(
                                        BlobId.of("results", "tfr-" + count + "/prediction.errors_stats" + suffix)),
                                StandardCharsets.UTF_8)
                        .lines()
                        .toList());
            }
            // sample and gradient of the first file, sample of the second, gradient of the third
            assertEquals(
                    List.of(b64(sample), b64(gradient), b64(sample), b64(gradient)),
                    results.stream().map(r -> readTree(r).get("instance")).toList(),
                    count + " shards");
            JsonNode expected = online(image, b64(gradient));
            assertEquals(expected.get("explanation"), readTree(results.get(3)).get("explanation"));
            assertEquals(
                    List.of(
                            "the record at byte " + corruptAt + " of gs://inputs/records/1-mixed.tfrecord has a wrong"
                                    + " CRC of its data",
                            "the record at byte " + oversizedAt + " of gs://inputs/records/1-mixed.tfrecord has"
                                    + " 150000 bytes, more than explain.max-request-bytes (100000)",
                            "the TFRecord framing of gs://inputs/records/2-broken.tfrecord is broken at byte "
                                    + brokenAt
                                    + ": the record's length has a wrong CRC; the rest of the file is skipped"),
                    errors.stream()
                            .map(e -> readTree(e).at("/error/message").asText())
                            .toList(),
                    count + " shards");
            for (String e : errors) {
                assertEquals("INVALID_ARGUMENT", readTree(e).at("/error/status").asText());
                assertTrue(readTree(e).get("instance").asText().startsWith("gs://inputs/records/"), e);
            }
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /**
     * Through gofakes3's ranged GETs: each of 4 shards of a 4 MB input reads about its quarter of the bytes (the
     * stream the store sent, as counted by ObjectFiles), not the whole input; together they read every instance once.
     */
    @Test
    void shardsOnGofakes3ReadAboutTheirShareOfTheBytes(@TempDir Path tmp) {
        StringBuilder text = new StringBuilder();
        Random random = new Random(9);
        int instances = 0;
        for (int i = 0; i < 4_000; i++) {
            if (i % 400 == 0) {
                text.append(String.format(Locale.ROOT, "[%d.5, 0.1, -0.2, 0.3, %.4f]", i, random.nextDouble()))
                        .append('\n');
                instances++;
            }
            text.append(" ".repeat(999)).append('\n'); // a blank line, skipped without work
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        s3Client.putObject(b -> b.bucket("batch").key("ranged/big.jsonl"), RequestBody.fromBytes(bytes));
        int count = 4;
        long succeeded = 0;
        for (int i = 0; i < count; i++) {
            Map<String, String> p = job(
                    s3Store(), "s3://batch/ranged/big.jsonl", tmp.resolve("out").toString(), i);
            p.put("explain.batch.shard-count", String.valueOf(count));
            p.put("explain.batch.generate-explanation", "false");
            dev.explainable.serving.runtime.config.ExplainConfig config = TestOptions.config(p);
            BatchShard.Counts counts;
            try (dev.explainable.serving.runtime.storage.ObjectFiles files =
                    new dev.explainable.serving.runtime.storage.ObjectFiles(
                            dev.explainable.serving.runtime.config.RuntimeOptions.storage(config))) {
                counts = new BatchShard(BatchSettings.from(config, Map.of()), tabular, files).run();
            }
            long share = bytes.length / count;
            assertTrue(
                    counts.bytesRead() >= share - 1 && counts.bytesRead() <= share + 1_000 + 64 * 1024,
                    "shard " + i + " read " + counts.bytesRead() + " of " + bytes.length + " bytes");
            succeeded += counts.succeeded();
        }
        assertEquals(instances, succeeded);
    }

    @Test
    void aMissingInputBucketOrAnUnwritableOutputFailsTheShardWithItsReason(@TempDir Path tmp) throws IOException {
        Path log = Files.createFile(tmp.resolve("termination-log"));
        PrintStream stderr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(
                    BatchMain.FAILED,
                    shard(tabular, job(gcsStore(), "gs://no-such-bucket/in/*.jsonl", "gs://results/x", 0), log));
            assertTrue(Files.readString(log).contains("no-such-bucket"), Files.readString(log));
            assertEquals(1, err.toString(StandardCharsets.UTF_8).strip().lines().count(), err.toString());

            assertEquals(
                    BatchMain.FAILED,
                    shard(tabular, job(s3Store(), "s3://batch/in/part-1.jsonl", "s3://no-such-bucket/out", 0), log));
            assertTrue(Files.readString(log).contains("s3://no-such-bucket/out"), Files.readString(log));

            Files.writeString(tmp.resolve("a-file"), "");
            assertEquals(
                    BatchMain.FAILED,
                    shard(
                            tabular,
                            job(
                                    s3Store(),
                                    "s3://batch/in/part-1.jsonl",
                                    tmp.resolve("a-file/out").toString(),
                                    0),
                            log));
            assertTrue(Files.readString(log).startsWith("shard 0 of 3 failed: "), Files.readString(log));

            assertEquals(
                    BatchMain.BAD_CONFIGURATION,
                    shard(tabular, job(s3Store(), "s3://batch/in/part-1.jsonl", "s3://batch/out", 3), log));
            assertTrue(Files.readString(log).contains("shard index 3 is not in 0..2"), Files.readString(log));
            Map<String, String> bigQuery = job(s3Store(), "s3://batch/in/part-1.jsonl", "s3://batch/out", 0);
            bigQuery.put("explain.batch.instances-format", "bigquery");
            assertEquals(BatchMain.BAD_CONFIGURATION, shard(tabular, bigQuery, log));
            assertTrue(Files.readString(log).contains("bigquery is not supported"), Files.readString(log));
            Map<String, String> keyedRecords = job(s3Store(), "s3://batch/in/part-1.jsonl", "s3://batch/out", 0);
            keyedRecords.put("explain.batch.instances-format", "tf-record");
            keyedRecords.put("explain.batch.key-field", "id");
            assertEquals(BatchMain.BAD_CONFIGURATION, shard(tabular, keyedRecords, log));
            assertTrue(Files.readString(log).contains("a tf-record's instances are"), Files.readString(log));
        } finally {
            System.setErr(stderr);
        }
    }

    /**
     * A shard as a real process, killed (SIGKILL) once its first results are being written locally, leaves nothing of
     * its own in the output folder; run again to the end, it writes every one of its lines exactly once (results or
     * errors), none missing, none twice.
     */
    @Test
    void aShardKilledMidWayAndRetriedWritesEveryLineOnce(@TempDir Path tmp) throws Exception {
        int count = 3;
        int index = 1;
        List<String> lines = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < KILLED_LINES; i++) {
            // the first value makes every instance distinct
            StringBuilder b = new StringBuilder("[").append(String.format(Locale.ROOT, "%.5f", i / 100_000.0 - 1));
            for (int j = 1; j < 5; j++) {
                b.append(", ").append(String.format(Locale.ROOT, "%.4f", random.nextDouble() * 4 - 2));
            }
            lines.add(b.append("]").toString());
        }
        for (int i = 0; i < BAD.size(); i++) {
            lines.add(500 + i * 1_999, BAD.get(i));
        }
        gcsClient.create(
                com.google.cloud.storage.BlobInfo.newBuilder(BlobId.of("inputs", "big/part-0.jsonl"))
                        .build(),
                bytes(lines));
        String resultsName = String.format("explanation.results-%05d-of-%05d", index, count);
        String errorsName = String.format("prediction.errors_stats-%05d-of-%05d", index, count);
        Map<String, String> env = Map.of(
                "EXPLAIN_MODEL_DIR",
                TestModels.dir("tabular_classifier").toAbsolutePath().toString(),
                "EXPLAIN_STORAGE_GCS_ENDPOINT",
                gcs.endpoint(),
                "EXPLAIN_STORAGE_ANONYMOUS",
                "true",
                "EXPLAIN_STORAGE_ATTEMPTS",
                "2",
                "EXPLAIN_BATCH_INPUT_URIS",
                "gs://inputs/big/*.jsonl",
                "EXPLAIN_BATCH_OUTPUT_DIRECTORY",
                "gs://results/killed",
                "EXPLAIN_BATCH_SHARD_COUNT",
                String.valueOf(count),
                "JOB_COMPLETION_INDEX",
                String.valueOf(index));

        ShardProcess first = ShardProcess.start(tmp.resolve("first"), env, List.of("-Xmx512m"));
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(5);
        // its first results are computed and written (the local file has its first 256 KiB buffer), then SIGKILL
        while (first.resultsBytes().orElse(0) == 0) {
            assertTrue(first.process.isAlive(), "the shard ended before it was killed:\n" + first.output());
            assertTrue(System.nanoTime() < deadline, "no results after 5 minutes:\n" + first.output());
            Thread.sleep(10);
        }
        long written = first.resultsBytes().orElse(0);
        first.process.destroyForcibly();
        System.out.printf("killed the shard after %d bytes of its local results file%n", written);
        assertTrue(first.process.waitFor(1, java.util.concurrent.TimeUnit.MINUTES));
        assertTrue(first.process.exitValue() != 0, first.output());
        long resultsLines = lines.size() / count;
        assertTrue(
                written < resultsLines * 150L,
                "killed after " + written + " bytes of results: not mid-way\n" + first.output());
        assertEquals(null, gcsClient.get(BlobId.of("results", "killed/" + resultsName)), "a killed shard's results");
        assertEquals(null, gcsClient.get(BlobId.of("results", "killed/" + errorsName)), "a killed shard's errors");

        ShardProcess retry = ShardProcess.start(tmp.resolve("retry"), env, List.of("-Xmx512m"));
        assertTrue(retry.process.waitFor(10, java.util.concurrent.TimeUnit.MINUTES), retry.output());
        assertEquals(0, retry.process.exitValue(), retry.output());

        Map<String, Integer> seen = new HashMap<>();
        String results = new String(
                gcsClient.readAllBytes(BlobId.of("results", "killed/" + resultsName)), StandardCharsets.UTF_8);
        String errors = new String(
                gcsClient.readAllBytes(BlobId.of("results", "killed/" + errorsName)), StandardCharsets.UTF_8);
        for (String line : results.lines().toList()) {
            JsonNode r = readTree(line);
            assertEquals(List.of("instance", "prediction", "explanation"), fieldNames(r), line);
            seen.merge(r.get("instance").toString(), 1, Integer::sum);
        }
        for (String line : errors.lines().toList()) {
            JsonNode e = readTree(line);
            seen.merge(
                    e.get("instance").isTextual()
                            ? readTreeOrText(e.get("instance").asText())
                            : e.get("instance").toString(),
                    1,
                    Integer::sum);
        }
        Map<String, Integer> expected = new HashMap<>();
        long total = bytes(lines).length;
        long start = 0;
        for (String line : lines) {
            if (shardOf(start, total, count) == index) { // one input file: the line's first byte in the shard's third
                expected.merge(readTreeOrText(line), 1, Integer::sum);
            }
            start += line.getBytes(StandardCharsets.UTF_8).length + 1;
        }
        assertTrue(expected.size() > 10_000 / count, "distinct lines " + expected.size());
        List<String> twice = seen.entrySet().stream()
                .filter(e -> e.getValue() > 1)
                .map(Map.Entry::getKey)
                .toList();
        assertEquals(List.of(), twice, "lines written twice");
        List<String> missing =
                expected.keySet().stream().filter(k -> !seen.containsKey(k)).toList();
        assertEquals(List.of(), missing.stream().limit(5).toList(), missing.size() + " lines missing");
        assertEquals(expected.keySet(), seen.keySet());
        assertEquals(
                "{\"successfulCount\":" + results.lines().count() + ",\"failedCount\":"
                        + errors.lines().count() + "}",
                retry.output()
                        .lines()
                        .filter(l -> l.startsWith("{\"successfulCount\""))
                        .findFirst()
                        .orElse(""),
                retry.output());
    }

    static final int KILLED_LINES = Integer.getInteger("batch.killed-lines", 60_000);

    /** A line's JSON in canonical form, or the line itself where it is no JSON. */
    static String readTreeOrText(String line) {
        try {
            return JSON.readTree(line).toString();
        } catch (IOException e) {
            return line;
        }
    }

    @Test
    void aModelThatDoesNotLoadExitsThreeAndTheIndexComesFromTheIndexedJob(@TempDir Path tmp) throws IOException {
        Path log = Files.createFile(tmp.resolve("termination-log"));
        Map<String, String> env = Map.of(
                "EXPLAIN_MODEL_DIR", tmp.resolve("no-model").toString(),
                "EXPLAIN_BATCH_INPUT_URIS", tmp.resolve("*.jsonl").toString(),
                "EXPLAIN_BATCH_OUTPUT_DIRECTORY", tmp.resolve("out").toString(),
                "EXPLAIN_BATCH_SHARD_COUNT", "4",
                "JOB_COMPLETION_INDEX", "2");
        PrintStream stderr = System.err;
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            assertEquals(BatchMain.MODEL_FAILED, BatchMain.run(new String[0], env, System.out, log));
        } finally {
            System.setErr(stderr);
        }
        assertTrue(Files.readString(log).startsWith("model failed to load: "), Files.readString(log));
        assertEquals(
                2,
                BatchSettings.from(dev.explainable.serving.runtime.config.StandaloneConfig.fromEnvironment(env), env)
                        .shardIndex());
    }

    @Test
    void helpListsEveryBatchSetting() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(
                0,
                BatchMain.run(
                        new String[] {"--help"},
                        Map.of(),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        Path.of("/nonexistent")));
        String help = out.toString(StandardCharsets.UTF_8);
        io.smallrye.config.ConfigMappings.getProperties(io.smallrye.config.ConfigMappings.ConfigClass.configClass(
                        dev.explainable.serving.runtime.config.ExplainConfig.class))
                .keySet()
                .stream()
                .filter(name -> name.startsWith("explain.batch."))
                .map(name ->
                        name.replace("[*]", "").replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT))
                .forEach(env -> assertTrue(help.contains(env), env + " in\n" + help));
    }

    /**
     * Every good line once across the shards' results, equal to the online answer; every bad line once in the errors;
     * each shard's lines are its own (those whose first byte is in its third of the inputs' bytes).
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
                // equal up to float32 rounding: the job's runs hold other rows beside this one
                for (String field : List.of("prediction", "explanation")) {
                    assertEquals(
                            null,
                            JsonNumbers.difference(expected.get(field), r.get(field), JsonNumbers.FLOAT32_TOLERANCE),
                            r.get("instance").toString());
                }
            }
        }
    }

    /** The shard of the line that holds {@code instance}: the one of 3 whose byte range holds the line's first byte. */
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
            long total = 0;
            for (List<String> lines : INPUTS.values()) {
                total += bytes(lines).length;
            }
            long base = 0;
            for (List<String> lines : INPUTS.values()) {
                long start = base;
                for (String line : lines) {
                    if (!line.isBlank() && !BAD.contains(line)) {
                        owners.put(readTree(line).toString(), shardOf(start, total, 3));
                    }
                    start += line.getBytes(StandardCharsets.UTF_8).length + 1;
                }
                base += bytes(lines).length;
            }
        }
        return owners;
    }

    /** A file's bytes as the tests write it: each line and a '\n'. */
    static byte[] bytes(List<String> lines) {
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The shard of {@code count} whose range, [floor(i * total / count), floor((i + 1) * total / count)), holds byte
     * {@code offset} of the inputs (computed here with BigInteger, not with the code under test).
     */
    static int shardOf(long offset, long total, int count) {
        for (int i = 0; i < count; i++) {
            long end = java.math.BigInteger.valueOf(i + 1)
                    .multiply(java.math.BigInteger.valueOf(total))
                    .divide(java.math.BigInteger.valueOf(count))
                    .longValueExact();
            if (offset < end) {
                return i;
            }
        }
        throw new AssertionError("byte " + offset + " of " + total);
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
