package dev.explainable.serving.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.fabric8.kubernetes.client.KubernetesClient;

import dev.explainable.serving.operator.api.ExplanationJob;
import dev.explainable.serving.operator.api.ExplanationJobStatus;
import dev.explainable.serving.testkit.JsonNumbers;

/**
 * A batch explanation job on the real node, after {@link GcsModelScenario} (its model {@value GcsModelScenario#SERVED}
 * read anonymously from fake-gcs-server): an {@code ExplanationJob} of that model reads two jsonl files from bucket
 * {@value #BUCKET} of the same server (seeded in its data folder before it starts, {@link #seed}), 3 shards, and
 * writes Vertex's files under {@code gs://batch/batch-out/}. The operator runs the runtime image's batch entry as an
 * Indexed Job with the model's storage settings; the job's state must go QUEUED (or straight to RUNNING) → RUNNING →
 * SUCCEEDED. The files read back through the server's JSON API: 3 results files, every good line once, every bad
 * line once in the errors files, the status's counts equal, and a result's attributions equal to the online Vertex
 * {@code :explain} of the same instance through the model's Service. Then a job of its own model URI
 * ({@link #ownModelJob}) over the first file gives the same results.
 */
final class BatchJobScenario {

    static final String BUCKET = "batch";
    static final String JOB = "iris-batch";
    static final String OWN_JOB = "iris-own-model";
    static final int SHARDS = 3;
    /** Lines per input file (two files), bad ones included. */
    static final int LINES_PER_FILE = 500;
    /** The bad lines, all in the second file: not JSON, a wrong shape, a string. */
    static final List<String> BAD = List.of("not json", "[1.0, 2.0]", "\"a string\"");

    static final Duration LIMIT = Duration.ofMinutes(5);

    private final KubernetesClient client;
    private final ExplainScenario.Caller caller;
    private final String token;

    BatchJobScenario(KubernetesClient client, ExplainScenario.Caller caller, String token) {
        this.client = client;
        this.caller = caller;
        this.token = token;
    }

    /** The good instances: distinct rows of 5 features. */
    static List<String> goodLines() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 2 * LINES_PER_FILE - BAD.size(); i++) {
            double[] row = new double[5];
            for (int f = 0; f < 4; f++) {
                row[f] = ((i * 7 + f * 13) % 41 - 20) / 10.0 + f * 0.01;
            }
            row[4] = (i - 500) / 100.0; // distinct per line (2 decimals)
            StringBuilder b = new StringBuilder("[");
            for (int f = 0; f < 5; f++) {
                b.append(f == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", row[f]));
            }
            lines.add(b.append("]").toString());
        }
        return lines;
    }

    /**
     * Writes {@code <buckets>/batch/in/part-0.jsonl} and {@code part-1.jsonl} (fake-gcs-server reads its data folder
     * once, at start): 500 lines each, the 3 bad ones spread over the second.
     */
    static void seed(Path buckets) throws Exception {
        List<String> good = goodLines();
        Path in = buckets.resolve(BUCKET).resolve("in");
        Files.createDirectories(in);
        Files.writeString(in.resolve("part-0.jsonl"), String.join("\n", good.subList(0, LINES_PER_FILE)) + "\n");
        List<String> second = new ArrayList<>(good.subList(LINES_PER_FILE, good.size()));
        second.add(10, BAD.get(0));
        second.add(50, BAD.get(1));
        second.add(second.size(), BAD.get(2));
        assertThat(second).hasSize(LINES_PER_FILE);
        Files.writeString(in.resolve("part-1.jsonl"), String.join("\n", second) + "\n");
    }

    static String job() {
        return """
                apiVersion: serving.explainable.dev/v1alpha1
                kind: ExplanationJob
                metadata:
                  name: %s
                spec:
                  model:
                    name: %s
                  inputConfig:
                    instancesFormat: jsonl
                    uris:
                    - gs://%s/in/part-*.jsonl
                  outputConfig:
                    outputUriPrefix: gs://%s/batch-out
                  generateExplanation: true
                  batchSize: 16
                  parallelism:
                    shards: %d
                    pods: 2
                  resources: {cpu: 250m, memory: 1Gi}
                """.formatted(JOB, GcsModelScenario.SERVED, BUCKET, BUCKET, SHARDS);
    }

    /**
     * {@code endpoint}: the fake-gcs-server seeded by {@link #seed} and holding the model. Returns the job's output
     * folder ({@code gs://batch/batch-out/prediction-...}), whose attribution profiles are a monitoring baseline.
     */
    String run(String endpoint) throws Exception {
        long created = System.nanoTime();
        client.load(new ByteArrayInputStream(job().getBytes(StandardCharsets.UTF_8)))
                .inNamespace(ExplainScenario.NS)
                .create();

        // the states as they come, polled: QUEUED (unless the first pod started before the first look) → RUNNING →
        // SUCCEEDED, never FAILED
        List<String> states = new ArrayList<>();
        Map<String, Long> firstSeen = new HashMap<>();
        ExplanationJobStatus status = awaitEnd(JOB, created, st -> {
            if (st != null
                    && st.state != null
                    && (states.isEmpty() || !states.get(states.size() - 1).equals(st.state))) {
                states.add(st.state);
                firstSeen.putIfAbsent(st.state, System.nanoTime());
                System.out.printf(
                        "batch job: %s at %.1f s (progress %s)%n",
                        st.state, (System.nanoTime() - created) / 1e9, st.progress);
            }
        });
        assertThat(status).as("the job's status").isNotNull();
        assertThat(status.state)
                .as(
                        "state after %s (states %s, partial failures %s, pods: %s)",
                        LIMIT,
                        states,
                        status.partialFailures == null
                                ? List.of()
                                : status.partialFailures.stream()
                                        .map(p -> p.shard + ": " + p.message)
                                        .toList(),
                        podStates())
                .isEqualTo(ExplanationJobStatus.SUCCEEDED);
        assertThat(states)
                .as("the states in order")
                .isIn(List.of("QUEUED", "RUNNING", "SUCCEEDED"), List.of("RUNNING", "SUCCEEDED"));
        long succeeded = firstSeen.get(ExplanationJobStatus.SUCCEEDED);

        // the output folder the status names, read back through the server's JSON API
        String dir = status.outputInfo.gcsOutputDirectory;
        assertThat(dir).startsWith("gs://" + BUCKET + "/batch-out/prediction-" + GcsModelScenario.SERVED + "-");
        String prefix = dir.substring(("gs://" + BUCKET + "/").length());
        Map<String, String> files = list(endpoint, prefix);
        List<String> results = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<String> profiles = new ArrayList<>();
        for (String name : files.keySet()) {
            String file = name.substring(prefix.length());
            if (file.startsWith("explanation.results-")) {
                results.add(file);
            } else if (file.startsWith("prediction.errors_stats-")) {
                errors.add(file);
            } else if (file.startsWith("attribution.profile-")) {
                profiles.add(file);
            } else {
                throw new AssertionError("unexpected object in the output folder: " + name);
            }
        }
        assertThat(results)
                .containsExactlyInAnyOrder(
                        "explanation.results-00000-of-00003",
                        "explanation.results-00001-of-00003",
                        "explanation.results-00002-of-00003");
        assertThat(errors)
                .allMatch(e -> e.matches("prediction\\.errors_stats-0000[0-2]-of-00003"))
                .isNotEmpty();
        // each shard's attribution profile (a monitoring baseline): together they count every explained line once
        assertThat(profiles)
                .containsExactlyInAnyOrder(
                        "attribution.profile-00000-of-00003.json",
                        "attribution.profile-00001-of-00003.json",
                        "attribution.profile-00002-of-00003.json");
        long profiled = 0;
        for (String p : profiles) {
            for (JsonNode label :
                    ExplainScenario.JSON.readTree(files.get(prefix + p)).get("labels")) {
                profiled += label.get("count").asLong();
            }
        }
        assertThat(profiled).isEqualTo(goodLines().size());

        Map<JsonNode, Integer> seenGood = new HashMap<>();
        List<JsonNode> resultLines = new ArrayList<>();
        for (String r : results) {
            for (String line : lines(files.get(prefix + r))) {
                JsonNode l = ExplainScenario.JSON.readTree(line);
                assertThat(l.path("explanation").path("attributions").isArray())
                        .as(line)
                        .isTrue();
                seenGood.merge(l.get("instance"), 1, Integer::sum);
                resultLines.add(l);
            }
        }
        Map<JsonNode, Integer> expectedGood = new HashMap<>();
        for (String g : goodLines()) {
            expectedGood.merge(ExplainScenario.JSON.readTree(g), 1, Integer::sum);
        }
        assertThat(seenGood).as("every good line once in the results").isEqualTo(expectedGood);

        Map<JsonNode, Integer> seenBad = new HashMap<>();
        for (String e : errors) {
            for (String line : lines(files.get(prefix + e))) {
                JsonNode l = ExplainScenario.JSON.readTree(line);
                assertThat(l.path("error").path("status").asText()).as(line).isEqualTo("INVALID_ARGUMENT");
                seenBad.merge(l.get("instance"), 1, Integer::sum);
            }
        }
        Map<JsonNode, Integer> expectedBad = new HashMap<>();
        for (String b : BAD) {
            JsonNode n;
            try {
                n = ExplainScenario.JSON.readTree(b);
            } catch (Exception notJson) {
                n = TextNode.valueOf(b);
            }
            expectedBad.merge(n, 1, Integer::sum);
        }
        assertThat(seenBad).as("every bad line once in the errors").isEqualTo(expectedBad);

        assertThat(status.completionStats.successfulCount).isEqualTo((long) expectedGood.size());
        assertThat(status.completionStats.failedCount).isEqualTo((long) BAD.size());

        // a result's attributions are the online Vertex :explain's of the same instance, through the model's Service
        JsonNode sample = resultLines.get(resultLines.size() / 2);
        String vertex = "/v1/projects/demo/locations/us-central1/endpoints/" + GcsModelScenario.SERVED + ":explain";
        ExplainScenario.Reply online = caller.post(
                GcsModelScenario.SERVED,
                vertex,
                "{\"instances\": [" + ExplainScenario.JSON.writeValueAsString(sample.get("instance")) + "]}",
                token);
        assertThat(online.statusCode()).as(online.body()).isEqualTo(200);
        JsonNode onlineExplanation =
                ExplainScenario.JSON.readTree(online.body()).get("explanations").get(0);
        // equal up to float32 rounding: the job's runs hold other rows beside this one
        assertThat(JsonNumbers.difference(
                        onlineExplanation.get("attributions"),
                        sample.get("explanation").get("attributions"),
                        JsonNumbers.FLOAT32_TOLERANCE))
                .as("the batch's attributions of %s against the online :explain's", sample.get("instance"))
                .isNull();

        runOwnModel(endpoint, resultLines);
        String outputDir = dir;

        long queuedOrFirst = firstSeen.getOrDefault(ExplanationJobStatus.QUEUED, firstSeen.get("RUNNING"));
        int instances = expectedGood.size() + BAD.size();
        System.out.printf(
                "batch job: %s; %d shards, %d instances (%d explained, %d in the errors files) in %.1f s from %s"
                        + " to SUCCEEDED (%.1f s from creation): %.1f instances/s; RUNNING→SUCCEEDED %.1f s;"
                        + " one result's attributions equal to the online :explain's%n",
                states,
                SHARDS,
                instances,
                expectedGood.size(),
                BAD.size(),
                (succeeded - queuedOrFirst) / 1e9,
                states.get(0),
                (succeeded - created) / 1e9,
                instances / ((succeeded - queuedOrFirst) / 1e9),
                (succeeded - firstSeen.get(ExplanationJobStatus.RUNNING)) / 1e9);
        return outputDir;
    }

    /**
     * A job of its own model URI (the same folder, no ExplainableModel) with Vertex's explanationSpec and storage
     * of its own, over the first input file: it must succeed, its folder named after the job, and every result equal
     * to the named model's job's result for the same instance.
     */
    static String ownModelJob(String endpoint) {
        return """
                apiVersion: serving.explainable.dev/v1alpha1
                kind: ExplanationJob
                metadata:
                  name: %s
                spec:
                  model:
                    modelUri: gs://models/iris/1
                  explanationSpec:
                    parameters:
                      integratedGradientsAttribution: {stepCount: 50}
                  storage:
                    anonymous: true
                    gcs: {endpoint: "%s"}
                  inputConfig:
                    instancesFormat: jsonl
                    uris:
                    - gs://%s/in/part-0.jsonl
                  outputConfig:
                    outputUriPrefix: gs://%s/own-out
                  resources: {cpu: 250m, memory: 1Gi}
                """.formatted(OWN_JOB, endpoint, BUCKET, BUCKET);
    }

    private void runOwnModel(String endpoint, List<JsonNode> named) throws Exception {
        long created = System.nanoTime();
        client.load(new ByteArrayInputStream(ownModelJob(endpoint).getBytes(StandardCharsets.UTF_8)))
                .inNamespace(ExplainScenario.NS)
                .create();
        ExplanationJobStatus status = awaitEnd(OWN_JOB, created, st -> {});
        assertThat(status).as("the own-model job's status").isNotNull();
        assertThat(status.state)
                .as("own-model job (partial failures %s)", status.partialFailures)
                .isEqualTo(ExplanationJobStatus.SUCCEEDED);
        assertThat(status.completionStats.successfulCount).isEqualTo((long) LINES_PER_FILE);
        assertThat(status.completionStats.failedCount).isZero();
        String dir = status.outputInfo.gcsOutputDirectory;
        assertThat(dir).startsWith("gs://" + BUCKET + "/own-out/prediction-" + OWN_JOB + "-");
        String prefix = dir.substring(("gs://" + BUCKET + "/").length());
        Map<JsonNode, JsonNode> byInstance = new HashMap<>();
        for (JsonNode l : named) {
            byInstance.put(l.get("instance"), l.get("explanation"));
        }
        int compared = 0;
        for (Map.Entry<String, String> f : list(endpoint, prefix).entrySet()) {
            if (!f.getKey().startsWith(prefix + "explanation.results-")) {
                continue;
            }
            for (String line : lines(f.getValue())) {
                JsonNode l = ExplainScenario.JSON.readTree(line);
                assertThat(JsonNumbers.difference(
                                byInstance.get(l.get("instance")), l.get("explanation"), JsonNumbers.FLOAT32_TOLERANCE))
                        .as("the own-model job's explanation of %s against the named model's job's", l.get("instance"))
                        .isNull();
                compared++;
            }
        }
        assertThat(compared).isEqualTo(LINES_PER_FILE);
        System.out.printf(
                "batch job of its own model URI: SUCCEEDED in %.1f s, %d results equal to the named model's job's%n",
                (System.nanoTime() - created) / 1e9, compared);
    }

    /**
     * Polls job {@code name}'s status every 250 ms, each seen by {@code seen}, until SUCCEEDED or FAILED or
     * {@link #LIMIT} after {@code created}; its last status (null if it never had one).
     */
    private ExplanationJobStatus awaitEnd(String name, long created, Consumer<ExplanationJobStatus> seen)
            throws InterruptedException {
        ExplanationJobStatus status = null;
        long deadline = created + LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            ExplanationJob ej = client.resources(ExplanationJob.class)
                    .inNamespace(ExplainScenario.NS)
                    .withName(name)
                    .get();
            status = ej == null ? null : ej.getStatus();
            seen.accept(status);
            if (status != null
                    && (ExplanationJobStatus.SUCCEEDED.equals(status.state)
                            || ExplanationJobStatus.FAILED.equals(status.state))) {
                break;
            }
            Thread.sleep(250);
        }
        return status;
    }

    private String podStates() {
        return client
                .pods()
                .inNamespace(ExplainScenario.NS)
                .withLabel("serving.explainable.dev/explanation-job", JOB)
                .list()
                .getItems()
                .stream()
                .map(p -> p.getMetadata().getName() + " " + p.getStatus().getPhase() + " "
                        + p.getStatus().getContainerStatuses())
                .toList()
                .toString();
    }

    /** The objects under {@code prefix} in the bucket, name → content, through the JSON API. */
    private static Map<String, String> list(String endpoint, String prefix) throws Exception {
        HttpResponse<String> listing = LocalClusterEndToEndTest.get(endpoint + "/storage/v1/b/" + BUCKET + "/o?prefix="
                + URLEncoder.encode(prefix, StandardCharsets.UTF_8));
        assertThat(listing.statusCode()).as(listing.body()).isEqualTo(200);
        Map<String, String> files = new TreeMap<>();
        for (JsonNode item : ExplainScenario.JSON.readTree(listing.body()).path("items")) {
            String name = item.get("name").asText();
            HttpResponse<String> media = LocalClusterEndToEndTest.HTTP.send(
                    HttpRequest.newBuilder(URI.create(endpoint + "/storage/v1/b/" + BUCKET + "/o/"
                                    + URLEncoder.encode(name, StandardCharsets.UTF_8) + "?alt=media"))
                            .timeout(Duration.ofSeconds(30))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(media.statusCode()).as(name + ": " + media.body()).isEqualTo(200);
            files.put(name, media.body());
        }
        return files;
    }

    private static List<String> lines(String content) {
        return content.lines().filter(l -> !l.isBlank()).toList();
    }
}
