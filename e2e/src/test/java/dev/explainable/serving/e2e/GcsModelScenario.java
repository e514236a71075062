package dev.explainable.serving.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelStatus;
import dev.explainable.serving.operator.api.VersionStatus;

/**
 * A model served from {@code gs://}, after {@link ExplainScenario} (its operator and {@code iris} model): the
 * bundled tabular classifier in bucket {@code models} of a fake-gcs-server on this machine, read anonymously through
 * {@code spec.storage.gcs.endpoint} by the operator's {@code fetch-model} init container. The model must become
 * Ready and explain to the same bytes as {@code iris}'s v2, which serves the same folder from the PVC with the same
 * settings. A second model names a folder that is not in the bucket: Degraded, {@code ModelFetchFailed}, with the
 * fetcher's reason as the message, never Ready.
 */
final class GcsModelScenario {

    static final String SERVED = "iris-gcs";
    static final String MISSING = "missing-gcs";
    static final String MISSING_URI = "gs://models/iris/2";

    private final KubernetesClient client;
    private final ExplainScenario.Caller caller;
    private final String token;

    GcsModelScenario(KubernetesClient client, ExplainScenario.Caller caller, String token) {
        this.client = client;
        this.caller = caller;
        this.token = token;
    }

    /** Both models as a user writes them: anonymous reads from the emulator's endpoint, no credentials. */
    static String model(String name, String uri, String endpoint) {
        return """
                apiVersion: serving.explainable.dev/v1alpha1
                kind: ExplainableModel
                metadata:
                  name: %s
                spec:
                  defaultVersion: v1
                  storage:
                    anonymous: true
                    gcs: {endpoint: "%s"}
                  versions:
                  - name: v1
                    modelUri: %s
                    resources: {gpus: 0, cpu: 250m, memory: 1Gi}
                """.formatted(name, endpoint, uri);
    }

    /** {@code endpoint}: the fake-gcs-server holding {@code models/iris/1}. */
    void run(String endpoint) throws Exception {
        long start = System.nanoTime();
        for (String[] m : new String[][] {{SERVED, "gs://models/iris/1"}, {MISSING, MISSING_URI}}) {
            client.load(new ByteArrayInputStream(model(m[0], m[1], endpoint).getBytes(StandardCharsets.UTF_8)))
                    .inNamespace(ExplainScenario.NS)
                    .create();
        }

        // the fetched model: Ready, its pod started after fetch-model exited 0
        await().atMost(Duration.ofMinutes(4)).ignoreExceptions().untilAsserted(() -> {
            ExplainableModelStatus s = status(SERVED);
            assertThat(condition(s, "Ready").getStatus()).isEqualTo("True");
            assertThat(s.getVersionsReady()).isEqualTo("1/1");
        });
        long ready = System.nanoTime();
        Pod pod = client.pods()
                .inNamespace(ExplainScenario.NS)
                .withLabel("serving.explainable.dev/model", SERVED)
                .list()
                .getItems()
                .get(0);
        List<ContainerStatus> init = pod.getStatus().getInitContainerStatuses();
        assertThat(init).singleElement().satisfies(c -> {
            assertThat(c.getName()).isEqualTo("fetch-model");
            assertThat(c.getState().getTerminated().getExitCode()).isZero();
        });

        // through its Service once kube-proxy routes it; the same bytes as the PVC's copy with the same settings
        String path = "/v1/projects/demo/models/" + SERVED + ":explain";
        await().atMost(Duration.ofSeconds(60))
                .ignoreExceptions()
                .until(() -> caller.post(SERVED, path, ExplainScenario.INSTANCES, token)
                                .statusCode()
                        == 200);
        ExplainScenario.Reply fromGcs = caller.post(SERVED, path, ExplainScenario.INSTANCES, token);
        assertThat(fromGcs.statusCode()).as(fromGcs.body()).isEqualTo(200);
        assertThat(fromGcs.body()).contains("attributions_by_label").contains("\"label_name\":\"setosa\"");
        ExplainScenario.Reply fromPvc = caller.post(
                "iris-v2", "/v1/projects/demo/models/iris/versions/v2:explain", ExplainScenario.INSTANCES, token);
        assertThat(fromGcs.body()).isEqualTo(fromPvc.body());

        // the folder that is not there: the fetcher's reason in the version's status and the Degraded condition
        await().atMost(Duration.ofMinutes(2)).ignoreExceptions().untilAsserted(() -> {
            ExplainableModelStatus s = status(MISSING);
            VersionStatus v = s.getVersions().get(0);
            assertThat(v.getState()).isEqualTo("Degraded");
            assertThat(v.getReason()).isEqualTo("ModelFetchFailed");
            assertThat(v.getMessage())
                    .startsWith("fetching " + MISSING_URI + ": not found: no objects under " + MISSING_URI + "/");
            assertThat(condition(s, "Degraded").getReason()).isEqualTo("ModelFetchFailed");
            assertThat(condition(s, "Degraded").getMessage()).contains("no objects under " + MISSING_URI + "/");
            assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
            assertThat(s.getVersionsReady()).isEqualTo("0/1");
        });
        System.out.printf(
                "gs:// model: Ready %.1f s after creation; explained, and the missing folder's ModelFetchFailed seen,"
                        + " %.1f s after creation (%s)%n",
                (ready - start) / 1e9,
                (System.nanoTime() - start) / 1e9,
                status(MISSING).getVersions().get(0).getMessage());
    }

    private ExplainableModelStatus status(String model) {
        return client.resources(ExplainableModel.class)
                .inNamespace(ExplainScenario.NS)
                .withName(model)
                .get()
                .getStatus();
    }

    private static Condition condition(ExplainableModelStatus s, String type) {
        return s.getConditions().stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElseThrow();
    }
}
