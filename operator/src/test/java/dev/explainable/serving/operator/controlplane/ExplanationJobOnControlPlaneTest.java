package dev.explainable.serving.operator.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplanationJob;
import dev.explainable.serving.operator.api.ExplanationJobSpec;
import dev.explainable.serving.operator.api.ExplanationJobStatus;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.api.VertexExplanationParameters;
import dev.explainable.serving.operator.api.VertexExplanationSpec;
import dev.explainable.serving.operator.dependent.DesiredJob;

/**
 * ExplanationJobs on the real control plane: the Indexed Job the operator makes, the real Job controller and garbage
 * collector around it. kwok would complete a Job's pods at once with exit code 0 and no termination message, so the
 * test's model version selects nodes no node has: the pods stay unscheduled, out of kwok's reach, and the test writes
 * their ends (exit code, termination message) as a kubelet would.
 */
class ExplanationJobOnControlPlaneTest {

    static final Duration TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    static final OperatorOnControlPlane cluster = OperatorOnControlPlane.shared(TestConfig.of());

    static KubernetesClient client;

    @BeforeAll
    static void client() {
        client = cluster.client();
    }

    /** A model whose pods (and so whose jobs' pods) no node takes. */
    static void model(String ns) {
        VersionSpec v1 = Models.version("v1", 0);
        v1.setNodeSelector(Map.of("explainable.test/no-such-node", "true"));
        cluster.create(ns, "m", v1);
    }

    static ExplanationJob job(String ns, String name, int shards) {
        ExplanationJobSpec spec = new ExplanationJobSpec();
        spec.model = new ExplanationJobSpec.ModelRef();
        spec.model.name = "m";
        spec.inputConfig = new ExplanationJobSpec.InputConfig();
        spec.inputConfig.uris = List.of("gs://in/a.jsonl", "gs://in/b-*.jsonl");
        spec.inputConfig.instancesFormat = "jsonl";
        spec.outputConfig = new ExplanationJobSpec.OutputConfig();
        spec.outputConfig.outputUriPrefix = "gs://out/batch";
        spec.parallelism = new ExplanationJobSpec.Parallelism();
        spec.parallelism.shards = shards;
        ExplanationJob j = new ExplanationJob(name, spec);
        j.getMetadata().setNamespace(ns);
        return j;
    }

    static ExplanationJob get(String ns, String name) {
        return client.resources(ExplanationJob.class)
                .inNamespace(ns)
                .withName(name)
                .get();
    }

    static Job k8sJob(String ns, String name) {
        return client.batch().v1().jobs().inNamespace(ns).withName(name).get();
    }

    static List<Pod> pods(String ns, String name) {
        return client.pods()
                .inNamespace(ns)
                .withLabel(DesiredJob.JOB_LABEL, name)
                .list()
                .getItems();
    }

    static void awaitState(String ns, String name, String state) {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            ExplanationJob j = get(ns, name);
            assertThat(j.getStatus()).isNotNull();
            assertThat(j.getStatus().state).isEqualTo(state);
        });
    }

    static String index(Pod p) {
        return p.getMetadata().getAnnotations().get("batch.kubernetes.io/job-completion-index");
    }

    /** The pod of shard {@code index} ends as a kubelet reports it: its runtime container's exit code and message. */
    static void kubeletEnds(String ns, String name, int index, int exitCode, String message) {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            Pod pod = pods(ns, name).stream()
                    .filter(p -> String.valueOf(index).equals(index(p)))
                    .filter(p -> p.getStatus() == null
                            || !List.of("Succeeded", "Failed")
                                    .contains(p.getStatus().getPhase()))
                    .findFirst()
                    .orElseThrow();
            String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).editStatus(p -> {
                p.getStatus().setPhase(exitCode == 0 ? "Succeeded" : "Failed");
                p.getStatus().setStartTime(now);
                p.getStatus()
                        .setContainerStatuses(List.of(new ContainerStatusBuilder()
                                .withName(DesiredJob.CONTAINER)
                                .withImage(pod.getSpec().getContainers().get(0).getImage())
                                .withReady(false)
                                .withRestartCount(0)
                                .withNewState()
                                .withNewTerminated()
                                .withExitCode(exitCode)
                                .withReason(exitCode == 0 ? "Completed" : "Error")
                                .withMessage(message)
                                .withStartedAt(now)
                                .withFinishedAt(now)
                                .endTerminated()
                                .endState()
                                .build()));
                return p;
            });
        });
    }

    /** A user's change, as kubectl patch --type merge makes it (no resourceVersion: no conflict with the status). */
    static void mergePatch(String ns, String name, String patch) {
        client.resources(ExplanationJob.class)
                .inNamespace(ns)
                .withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    }

    static String env(Job job, String name) {
        return job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .map(EnvVar::getValue)
                .findFirst()
                .orElse(null);
    }

    @Test
    void threeShardsMakeOneIndexedJobAndSucceedWithTheirCountsSummed() {
        String ns = cluster.namespace("ej-succeeds");
        model(ns);
        client.resource(job(ns, "daily", 3)).create();

        await().atMost(TIMEOUT).until(() -> k8sJob(ns, "daily") != null);
        Job job = k8sJob(ns, "daily");
        ExplanationJob ej = get(ns, "daily");
        assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
        assertThat(job.getSpec().getCompletions()).isEqualTo(3);
        assertThat(job.getSpec().getParallelism()).isEqualTo(3);
        assertThat(job.getSpec().getBackoffLimitPerIndex()).isEqualTo(2);
        assertThat(job.getSpec().getPodFailurePolicy().getRules().get(0).getAction())
                .isEqualTo("FailIndex");
        assertThat(job.getSpec()
                        .getPodFailurePolicy()
                        .getRules()
                        .get(0)
                        .getOnExitCodes()
                        .getValues())
                .containsExactly(2, 3);
        var pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem())
                .isTrue();
        assertThat(pod.getContainers().get(0).getCommand())
                .containsExactly("java", "-jar", "/deployments/quarkus-run.jar", "batch");
        assertThat(pod.getContainers().get(0).getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
        assertThat(env(job, "EXPLAIN_BATCH_INPUT_URIS")).isEqualTo("gs://in/a.jsonl,gs://in/b-*.jsonl");
        assertThat(env(job, "EXPLAIN_BATCH_SHARD_COUNT")).isEqualTo("3");
        assertThat(env(job, "EXPLAIN_MODEL_DIR")).isEqualTo("/mnt/models/flowers/v1");
        assertThat(env(job, "EXPLAIN_BATCH_OUTPUT_DIRECTORY"))
                .matches("gs://out/batch/prediction-m-\\d{4}_\\d{2}_\\d{2}T\\d{2}_\\d{2}_\\d{2}_\\d{3}Z/");
        assertThat(job.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("ExplanationJob");
            assertThat(o.getUid()).isEqualTo(ej.getMetadata().getUid());
            assertThat(o.getController()).isTrue();
        });
        awaitState(ns, "daily", ExplanationJobStatus.QUEUED);
        assertThat(get(ns, "daily").getStatus().outputInfo.gcsOutputDirectory)
                .isEqualTo(env(job, "EXPLAIN_BATCH_OUTPUT_DIRECTORY"));

        await().atMost(TIMEOUT).until(() -> pods(ns, "daily").size() == 3);
        kubeletEnds(ns, "daily", 0, 0, "{\"successfulCount\":10,\"failedCount\":0}");
        kubeletEnds(ns, "daily", 1, 0, "{\"successfulCount\":20,\"failedCount\":1}");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            ExplanationJobStatus s = get(ns, "daily").getStatus();
            assertThat(s.state).isEqualTo(ExplanationJobStatus.RUNNING);
            assertThat(s.progress).isEqualTo("2/3");
            assertThat(s.startTime).isNotNull();
        });
        kubeletEnds(ns, "daily", 2, 0, "{\"successfulCount\":30,\"failedCount\":2}");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            ExplanationJobStatus s = get(ns, "daily").getStatus();
            assertThat(s.state).isEqualTo(ExplanationJobStatus.SUCCEEDED);
            assertThat(s.progress).isEqualTo("3/3");
            assertThat(s.completionStats.successfulCount).isEqualTo(60);
            assertThat(s.completionStats.failedCount).isEqualTo(3);
            assertThat(s.endTime).isNotNull();
            assertThat(s.conditions)
                    .anyMatch(c ->
                            c.getType().equals("Succeeded") && c.getStatus().equals("True"));
        });
        assertThat(client.v1().events().inNamespace(ns).list().getItems())
                .anyMatch(e -> "Created".equals(e.getReason())
                        && "ExplanationJob".equals(e.getInvolvedObject().getKind()));

        // deleting the ExplanationJob deletes its Job (the garbage collector)
        client.resources(ExplanationJob.class).inNamespace(ns).withName("daily").delete();
        await().atMost(TIMEOUT).until(() -> k8sJob(ns, "daily") == null);
    }

    @Test
    void aShardExitingWithBadSettingsFailsTheJobWithoutRetryAndWithItsReason() {
        String ns = cluster.namespace("ej-fails");
        model(ns);
        client.resource(job(ns, "bad", 2)).create();
        await().atMost(TIMEOUT).until(() -> pods(ns, "bad").size() == 2);
        kubeletEnds(ns, "bad", 0, 0, "{\"successfulCount\":5,\"failedCount\":0}");
        kubeletEnds(ns, "bad", 1, 2, "EXPLAIN_BATCH_INPUT_URIS: gs://in/a.jsonl matches no file");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            ExplanationJobStatus s = get(ns, "bad").getStatus();
            assertThat(s.state).isEqualTo(ExplanationJobStatus.FAILED);
            assertThat(s.partialFailures).singleElement().satisfies(f -> {
                assertThat(f.shard).isEqualTo(1);
                assertThat(f.message).isEqualTo("EXPLAIN_BATCH_INPUT_URIS: gs://in/a.jsonl matches no file");
            });
            assertThat(s.completionStats.successfulCount).isEqualTo(5);
            assertThat(s.endTime).isNotNull();
        });
        // exit code 2 is not retried: one pod for index 1
        assertThat(pods(ns, "bad")).filteredOn(p -> "1".equals(index(p))).hasSize(1);
        assertThat(k8sJob(ns, "bad").getStatus().getFailedIndexes()).isEqualTo("1");
    }

    @Test
    void cancelSuspendsTheJobAndEndsCancelled() {
        String ns = cluster.namespace("ej-cancel");
        model(ns);
        client.resource(job(ns, "stop", 2)).create();
        await().atMost(TIMEOUT).until(() -> pods(ns, "stop").size() == 2);
        client.resources(ExplanationJob.class).inNamespace(ns).withName("stop").edit(j -> {
            j.getSpec().cancel = true;
            return j;
        });
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(k8sJob(ns, "stop").getSpec().getSuspend()).isTrue();
            assertThat(pods(ns, "stop")).isEmpty();
            ExplanationJobStatus s = get(ns, "stop").getStatus();
            assertThat(s.state).isEqualTo(ExplanationJobStatus.CANCELLED);
            assertThat(s.endTime).isNotNull();
        });
        // and stays cancelled
        assertThatThrownBy(() -> mergePatch(ns, "stop", "{\"spec\":{\"cancel\":false}}"))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("a cancelled job stays cancelled");
    }

    @Test
    void theApiServerRefusesBadSpecsAndChangesAfterCreation() {
        String ns = cluster.namespace("ej-refusals");
        ExplanationJob badFormat = job(ns, "tf", 1);
        badFormat.getSpec().inputConfig.instancesFormat = "bigquery";
        assertThatThrownBy(() -> client.resource(badFormat).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("instancesFormat");
        ExplanationJob noShards = job(ns, "zero", 0);
        assertThatThrownBy(() -> client.resource(noShards).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("shards");
        ExplanationJob local = job(ns, "local", 1);
        local.getSpec().inputConfig.uris = List.of("file:///etc/passwd");
        assertThatThrownBy(() -> client.resource(local).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("uris");

        client.resource(job(ns, "fixed", 1)).create();
        assertThatThrownBy(() ->
                        mergePatch(ns, "fixed", "{\"spec\":{\"inputConfig\":{\"uris\":[\"gs://in/other.jsonl\"]}}}"))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("cannot change after creation");
        // no model m here: the job waits for it, QUEUED
        awaitState(ns, "fixed", ExplanationJobStatus.QUEUED);
        assertThat(get(ns, "fixed").getStatus().conditions).anyMatch(c -> "ModelNotFound".equals(c.getReason()));
    }

    @Test
    void theApiServerRefusesAModelNamedTwiceOrNotAtAllAndMisplacedOverrides() {
        String ns = cluster.namespace("ej-model-refusals");
        ExplanationJob both = job(ns, "both", 1);
        both.getSpec().model.modelUri = "gs://models/m/1";
        assertThatThrownBy(() -> client.resource(both).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("name the model once");
        ExplanationJob neither = job(ns, "neither", 1);
        neither.getSpec().model.name = null;
        assertThatThrownBy(() -> client.resource(neither).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("name the model once");
        ExplanationJob versionOfUri = ownModelJob(ns, "version-of-uri");
        versionOfUri.getSpec().model.version = "v1";
        assertThatThrownBy(() -> client.resource(versionOfUri).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("version names a version");
        ExplanationJob predictionsOnly = ownModelJob(ns, "predictions-only");
        predictionsOnly.getSpec().generateExplanation = false;
        assertThatThrownBy(() -> client.resource(predictionsOnly).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("only with generateExplanation");
        ExplanationJob fileListFields = job(ns, "file-list-fields", 1);
        fileListFields.getSpec().inputConfig.instancesFormat = "file-list";
        fileListFields.getSpec().instanceConfig = new ExplanationJobSpec.InstanceConfig();
        fileListFields.getSpec().instanceConfig.keyField = "id";
        assertThatThrownBy(() -> client.resource(fileListFields).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("instanceConfig applies to jsonl and csv");
        ExplanationJob bothFields = job(ns, "both-fields", 1);
        bothFields.getSpec().instanceConfig = new ExplanationJobSpec.InstanceConfig();
        bothFields.getSpec().instanceConfig.includedFields = List.of("a");
        bothFields.getSpec().instanceConfig.excludedFields = List.of("b");
        assertThatThrownBy(() -> client.resource(bothFields).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("not both");
        ExplanationJob fileUri = ownModelJob(ns, "file-uri");
        fileUri.getSpec().model.modelUri = "file:///etc";
        assertThatThrownBy(() -> client.resource(fileUri).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("modelUri");

        ExplanationJob upInput = job(ns, "up-input", 1);
        upInput.getSpec().inputConfig.uris = List.of("pvc://data/in/../../etc/passwd");
        assertThatThrownBy(() -> client.resource(upInput).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("must not contain '..'");
        ExplanationJob upOutput = job(ns, "up-output", 1);
        upOutput.getSpec().outputConfig.outputUriPrefix = "pvc://data/..";
        assertThatThrownBy(() -> client.resource(upOutput).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("must not contain '..'");
        ExplanationJob onPvc = job(ns, "on-pvc", 1);
        onPvc.getSpec().inputConfig.uris = List.of("pvc://data/in/*.jsonl");
        onPvc.getSpec().outputConfig.outputUriPrefix = "pvc://data/out";
        client.resource(onPvc).create();

        client.resource(ownModelJob(ns, "frozen")).create();
        assertThatThrownBy(() -> mergePatch(
                        ns,
                        "frozen",
                        "{\"spec\":{\"explanationSpec\":{\"parameters\":{\"xraiAttribution\":{\"stepCount\":9}}}}}"))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("cannot change after creation");
        assertThatThrownBy(() -> mergePatch(ns, "frozen", "{\"spec\":{\"batchSize\":3}}"))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("cannot change after creation");
    }

    /** A job of its own model URI, on a node no pod reaches, with Vertex's explanationSpec and a tf-record input. */
    static ExplanationJob ownModelJob(String ns, String name) {
        ExplanationJob j = job(ns, name, 2);
        j.getSpec().model = new ExplanationJobSpec.ModelRef();
        j.getSpec().model.modelUri = "gs://models/iris/1";
        j.getSpec().inputConfig.instancesFormat = "tf-record";
        j.getSpec().explanationSpec = new VertexExplanationSpec();
        VertexExplanationParameters parameters = new VertexExplanationParameters();
        VertexExplanationParameters.PathCount paths = new VertexExplanationParameters.PathCount();
        paths.setPathCount(12);
        parameters.setSampledShapleyAttribution(paths);
        j.getSpec().explanationSpec.setParameters(parameters);
        j.getSpec()
                .explanationSpec
                .setMetadata(Serialization.unmarshal(
                        "{\"inputs\":{\"x\":{\"inputTensorName\":\"x\"}},\"outputs\":{\"y\":{\"outputTensorName\":\"y\"}}}",
                        JsonNode.class));
        j.getSpec().batchSize = 64;
        return j;
    }

    @Test
    void aJobOfItsOwnModelUriRunsWithoutAnExplainableModelAndKeepsItsMetadataInItsOwnConfigMap() {
        String ns = cluster.namespace("ej-own-model");
        ExplanationJob created = client.resource(ownModelJob(ns, "own")).create();
        await().atMost(TIMEOUT).until(() -> k8sJob(ns, "own") != null);
        Job job = k8sJob(ns, "own");
        assertThat(env(job, "EXPLAIN_MODEL_NAME")).isEqualTo("own");
        assertThat(env(job, "EXPLAIN_METHOD")).isEqualTo("sampled-shapley");
        assertThat(env(job, "EXPLAIN_PATHS")).isEqualTo("12");
        assertThat(env(job, "EXPLAIN_BATCH_INSTANCES_FORMAT")).isEqualTo("tf-record");
        assertThat(env(job, "EXPLAIN_BATCH_INSTANCES_PER_CALL")).isEqualTo("64");
        ConfigMap metadata =
                client.configMaps().inNamespace(ns).withName("own-metadata").get();
        assertThat(metadata).isNotNull();
        assertThat(metadata.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o ->
                        assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid()));
        assertThat(metadata.getData().get("explanation_metadata.json")).contains("inputTensorName");
        // the status is patched after the Job is created: wait for it
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(get(ns, "own").getStatus())
                        .isNotNull()
                        .satisfies(st -> assertThat(st.outputInfo.gcsOutputDirectory)
                                .startsWith("gs://out/batch/prediction-own-")));

        kubeletEnds(ns, "own", 0, 0, "{\"successfulCount\":3,\"failedCount\":1}");
        kubeletEnds(ns, "own", 1, 0, "{\"successfulCount\":5,\"failedCount\":0}");
        awaitState(ns, "own", ExplanationJobStatus.SUCCEEDED);
        ExplanationJob done = get(ns, "own");
        assertThat(done.getStatus().completionStats.successfulCount).isEqualTo(8L);
        assertThat(done.getStatus().completionStats.failedCount).isEqualTo(1L);
    }
}
