package dev.explainable.serving.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelStatus;
import dev.explainable.serving.operator.api.VersionStatus;
import dev.explainable.serving.operator.dependent.AppliedHash;

class StatusCalculatorTest {

    static final String HASH = "applied-1";
    static final Map<String, String> HASHES = Map.of("v1", HASH, "v2", HASH);

    static ExplainableModel model() {
        return Models.model("flowers", "v1", Models.version("v1", 0), Models.version("v2", 4));
    }

    /** A Deployment of 1 desired replica as the deployment controller reports it. */
    static DeploymentBuilder deployment(int replicas, int updated, int ready) {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withGeneration(2L)
                .addToAnnotations(AppliedHash.ANNOTATION, HASH)
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .endSpec()
                .withNewStatus()
                .withObservedGeneration(2L)
                .withReplicas(replicas)
                .withUpdatedReplicas(updated)
                .withReadyReplicas(ready)
                .withAvailableReplicas(ready)
                .endStatus();
    }

    static Deployment rolledOut() {
        return deployment(1, 1, 1).build();
    }

    static Pod unschedulable() {
        return new PodBuilder()
                .withNewMetadata()
                .withName("p")
                .endMetadata()
                .withNewStatus()
                .addNewCondition()
                .withType("PodScheduled")
                .withStatus("False")
                .withReason("Unschedulable")
                .withMessage("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.")
                .endCondition()
                .endStatus()
                .build();
    }

    static Pod crashLooping() {
        return new PodBuilder()
                .withNewMetadata()
                .withName("p")
                .endMetadata()
                .withNewStatus()
                .addNewContainerStatus()
                .withName("runtime")
                .withRestartCount(3)
                .withNewState()
                .withNewWaiting()
                .withReason("CrashLoopBackOff")
                .endWaiting()
                .endState()
                .withNewLastState()
                .withNewTerminated()
                .withExitCode(1)
                .withMessage("model failed to load: no SavedModel at /mnt/models")
                .endTerminated()
                .endLastState()
                .endContainerStatus()
                .endStatus()
                .build();
    }

    /** Restarted once (OOMKilled), running and ready again. */
    static Pod restartedOnceAndReady() {
        return new PodBuilder()
                .withNewMetadata()
                .withName("p")
                .endMetadata()
                .withNewStatus()
                .withPhase("Running")
                .addNewCondition()
                .withType("Ready")
                .withStatus("True")
                .endCondition()
                .addNewContainerStatus()
                .withName("runtime")
                .withReady(true)
                .withRestartCount(1)
                .withNewState()
                .withNewRunning()
                .withStartedAt("2026-01-01T00:01:00Z")
                .endRunning()
                .endState()
                .withNewLastState()
                .withNewTerminated()
                .withExitCode(137)
                .withReason("OOMKilled")
                .endTerminated()
                .endLastState()
                .endContainerStatus()
                .endStatus()
                .build();
    }

    static final String FETCH_DENIED =
            "fetching gs://models/iris/1: access denied: listing bucket models: HTTP 403 ... (the pod's identity needs storage.objects.list and storage.objects.get on the bucket)";

    static Pod initCrashLooping() {
        return new PodBuilder()
                .withNewMetadata()
                .withName("p")
                .endMetadata()
                .withNewStatus()
                .withPhase("Pending")
                .addNewInitContainerStatus()
                .withName("fetch-model")
                .withRestartCount(2)
                .withNewState()
                .withNewWaiting()
                .withReason("CrashLoopBackOff")
                .endWaiting()
                .endState()
                .withNewLastState()
                .withNewTerminated()
                .withExitCode(1)
                .withReason("Error")
                .withMessage(FETCH_DENIED)
                .endTerminated()
                .endLastState()
                .endInitContainerStatus()
                .addNewContainerStatus()
                .withName("runtime")
                .withNewState()
                .withNewWaiting()
                .withReason("PodInitializing")
                .endWaiting()
                .endState()
                .endContainerStatus()
                .endStatus()
                .build();
    }

    static Pod waiting(String reason, String message) {
        return new PodBuilder()
                .withNewMetadata()
                .withName("p")
                .endMetadata()
                .withNewStatus()
                .withPhase("Pending")
                .withContainerStatuses(new ContainerStatusBuilder()
                        .withName("runtime")
                        .withNewState()
                        .withNewWaiting()
                        .withReason(reason)
                        .withMessage(message)
                        .endWaiting()
                        .endState()
                        .build())
                .endStatus()
                .build();
    }

    static Condition condition(ExplainableModelStatus s, String type) {
        return s.getConditions().stream()
                .filter(c -> c.getType().equals(type))
                .findFirst()
                .orElseThrow();
    }

    static VersionStatus v1(Deployment d, Pod... pods) {
        return StatusCalculator.compute(model(), HASHES, Map.of("v1", d), Map.of("v1", List.of(pods)), "t")
                .getVersions()
                .get(0);
    }

    @Test
    void readyWhenEveryVersionIsAvailable() {
        ExplainableModelStatus s = StatusCalculator.compute(
                model(), HASHES, Map.of("v1", rolledOut(), "v2", rolledOut()), Map.of(), "2026-01-01T00:00:00Z");
        assertThat(s.getVersionsReady()).isEqualTo("2/2");
        assertThat(condition(s, "Ready").getStatus()).isEqualTo("True");
        assertThat(condition(s, "Available").getStatus()).isEqualTo("True");
        assertThat(condition(s, "Progressing").getStatus()).isEqualTo("False");
        assertThat(condition(s, "Degraded").getStatus()).isEqualTo("False");
        assertThat(s.getObservedGeneration()).isEqualTo(1L);
        assertThat(s.getUrl()).isEqualTo("http://flowers.team-a.svc/v1/projects/team-a/models/flowers:explain");
        assertThat(s.getVersions().get(1).getExplainUrl())
                .isEqualTo("http://flowers-v2.team-a.svc/v1/projects/team-a/models/flowers/versions/v2:explain");
    }

    /** Kubernetes conventions: the same four condition types whatever the versions are called. */
    @Test
    void conditionTypesAreAFixedSetNotBuiltFromVersionNames() {
        ExplainableModelStatus s = StatusCalculator.compute(
                model(), HASHES, Map.of("v1", rolledOut()), Map.of("v2", List.of(unschedulable())), "t");
        assertThat(s.getConditions())
                .extracting(Condition::getType)
                .containsExactly("Ready", "Available", "Progressing", "Degraded");
    }

    @Test
    void unschedulableGpuVersionIsDegradedWithTheSchedulersMessage() {
        ExplainableModelStatus s = StatusCalculator.compute(
                model(),
                HASHES,
                Map.of("v1", rolledOut(), "v2", deployment(1, 1, 0).build()),
                Map.of("v2", List.of(unschedulable())),
                "t");
        assertThat(s.getVersionsReady()).isEqualTo("1/2");
        assertThat(s.getVersions().get(1).getState()).isEqualTo("Degraded");
        Condition d = condition(s, "Degraded");
        assertThat(d.getStatus()).isEqualTo("True");
        assertThat(d.getReason()).isEqualTo("Unschedulable");
        assertThat(d.getMessage()).contains("v2 Unschedulable: 0/3 nodes", "Insufficient nvidia.com/gpu");
        assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(s, "Ready").getMessage()).contains("v2 Unschedulable");
        // the default version v1 serves: the model is Available though not Ready
        assertThat(condition(s, "Available").getStatus()).isEqualTo("True");
    }

    @Test
    void crashingRuntimeIsModelLoadFailed() {
        VersionStatus v = v1(deployment(1, 1, 0).build(), crashLooping());
        assertThat(v.getState()).isEqualTo("Degraded");
        assertThat(v.getReason()).isEqualTo("ModelLoadFailed");
        assertThat(v.getMessage()).contains("no SavedModel");
    }

    @Test
    void aPodThatRestartedOnceAndIsReadyAgainIsAvailable() {
        VersionStatus v = v1(rolledOut(), restartedOnceAndReady());
        assertThat(v.getState()).isEqualTo("Available");
        assertThat(v.getReason()).isEqualTo("MinimumReplicasAvailable");
    }

    @Test
    void runtimeThatJustExitedIsModelLoadFailedUntilItRunsAgain() {
        Pod exited = new PodBuilder(restartedOnceAndReady())
                .editStatus()
                .editFirstContainerStatus()
                .withReady(false)
                .withNewState()
                .withNewTerminated()
                .withExitCode(137)
                .withReason("OOMKilled")
                .endTerminated()
                .endState()
                .endContainerStatus()
                .endStatus()
                .build();
        VersionStatus v = v1(deployment(1, 1, 0).build(), exited);
        assertThat(v.getReason()).isEqualTo("ModelLoadFailed");
        assertThat(v.getMessage()).isEqualTo("runtime exited with code 137 (OOMKilled)");
    }

    @Test
    void crashLoopingInitContainerIsModelFetchFailedWithItsMessage() {
        VersionStatus v = v1(deployment(1, 1, 0).build(), initCrashLooping());
        assertThat(v.getState()).isEqualTo("Degraded");
        assertThat(v.getReason()).isEqualTo("ModelFetchFailed");
        // the fetcher's reason, from its termination message (/dev/termination-log, or its log's tail)
        assertThat(v.getMessage()).isEqualTo(FETCH_DENIED);
    }

    @Test
    void containersThatCannotStartAreDegradedWithTheKubeletsReason() {
        for (String reason : List.of("InvalidImageName", "CreateContainerConfigError", "ImagePullBackOff")) {
            VersionStatus v = v1(deployment(1, 1, 0).build(), waiting(reason, "because " + reason));
            assertThat(v.getState()).as(reason).isEqualTo("Degraded");
            assertThat(v.getReason()).isEqualTo(reason);
            assertThat(v.getMessage()).isEqualTo("because " + reason);
        }
        // waiting for the init container is not a failure
        assertThat(v1(deployment(1, 1, 0).build(), waiting("PodInitializing", ""))
                        .getState())
                .isEqualTo("Progressing");
    }

    @Test
    void replicaSetFailedCreateIsDegradedWithTheAdmissionMessage() {
        Deployment refused = deployment(0, 0, 0)
                .editStatus()
                .addNewCondition()
                .withType("ReplicaFailure")
                .withStatus("True")
                .withReason("FailedCreate")
                .withMessage(
                        "pods \"m-v1-5d8f\" is forbidden: exceeded quota: no-pods, requested: pods=1, used: pods=0,"
                                + " limited: pods=0")
                .endCondition()
                .endStatus()
                .build();
        VersionStatus v = v1(refused);
        assertThat(v.getState()).isEqualTo("Degraded");
        assertThat(v.getReason()).isEqualTo("FailedCreate");
        assertThat(v.getMessage()).contains("exceeded quota");
    }

    @Test
    void progressDeadlineExceededIsDegraded() {
        Deployment stuck = deployment(1, 1, 0)
                .editStatus()
                .addNewCondition()
                .withType("Progressing")
                .withStatus("False")
                .withReason("ProgressDeadlineExceeded")
                .withMessage("ReplicaSet \"m-v1-5d8f\" has timed out progressing.")
                .endCondition()
                .endStatus()
                .build();
        VersionStatus v = v1(stuck);
        assertThat(v.getState()).isEqualTo("Degraded");
        assertThat(v.getReason()).isEqualTo("ProgressDeadlineExceeded");
        assertThat(v.getMessage()).contains("timed out progressing");
    }

    /** As `kubectl rollout status`: an old ready pod serving while the new one starts does not make it Available. */
    @Test
    void oldReadyPodsDoNotCountAsTheCurrentConfiguration() {
        // one old ready replica, one new pending (maxSurge 1): 2 replicas, 1 updated, 1 ready
        VersionStatus surging = v1(deployment(2, 1, 1).build());
        assertThat(surging.getState()).isEqualTo("Progressing");
        assertThat(surging.getReason()).isEqualTo("RollingOut");
        // the controller has not seen the new generation yet: its counts describe the previous template
        VersionStatus unobserved = v1(deployment(1, 1, 1)
                .editStatus()
                .withObservedGeneration(1L)
                .endStatus()
                .build());
        assertThat(unobserved.getState()).isEqualTo("Progressing");
        // the new pod exists but is not ready
        VersionStatus starting = v1(deployment(1, 1, 0).build());
        assertThat(starting.getReason()).isEqualTo("Starting");
    }

    /** Right after an edit the cache may still hold the Deployment from before the apply. */
    @Test
    void aDeploymentOlderThanTheLastApplyIsNotReadyForTheNewGeneration() {
        Deployment before = deployment(1, 1, 1)
                .editMetadata()
                .addToAnnotations(AppliedHash.ANNOTATION, "previous")
                .endMetadata()
                .build();
        VersionStatus v = v1(before);
        assertThat(v.getState()).isEqualTo("Progressing");
        assertThat(v.getReason()).isEqualTo("RollingOut");
    }

    @Test
    void applyFailedKeepsTheVersionsAndSaysWhatTheServerRefused() {
        ExplainableModel m = model();
        m.setStatus(StatusCalculator.compute(m, HASHES, Map.of("v1", rolledOut(), "v2", rolledOut()), Map.of(), "t1"));
        ExplainableModelStatus s = StatusCalculator.applyFailed(
                m,
                "ConfigMap \"flowers-v1-explain\" is invalid: []: Too long: may not be more than 1048576 bytes",
                "t2");
        assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(s, "Ready").getReason()).isEqualTo("ApplyFailed");
        assertThat(condition(s, "Degraded").getStatus()).isEqualTo("True");
        assertThat(condition(s, "Degraded").getMessage()).contains("Too long");
        assertThat(condition(s, "Available")).isEqualTo(condition(m.getStatus(), "Available"));
        assertThat(s.getVersions()).isEqualTo(m.getStatus().getVersions());
        assertThat(s.getConditions())
                .extracting(Condition::getType)
                .containsExactly("Ready", "Available", "Progressing", "Degraded");
    }

    @Test
    void rollingOutAndLastTransitionTimeKept() {
        ExplainableModel m = model();
        ExplainableModelStatus first = StatusCalculator.compute(
                m, HASHES, Map.of("v1", deployment(1, 0, 1).build()), Map.of(), "t1");
        assertThat(first.getVersions().get(0).getReason()).isEqualTo("RollingOut");
        m.setStatus(first);
        ExplainableModelStatus second = StatusCalculator.compute(
                m, HASHES, Map.of("v1", deployment(1, 0, 1).build()), Map.of(), "t2");
        assertThat(condition(second, "Progressing").getLastTransitionTime()).isEqualTo("t1");
        m.setStatus(second);
        ExplainableModelStatus third =
                StatusCalculator.compute(m, HASHES, Map.of("v1", rolledOut(), "v2", rolledOut()), Map.of(), "t3");
        assertThat(condition(third, "Ready").getLastTransitionTime()).isEqualTo("t3");
        assertThat(condition(third, "Progressing").getLastTransitionTime()).isEqualTo("t3");
    }

    @Test
    void previousStatusWithoutConditionsStartsAfresh() {
        ExplainableModel m = model();
        m.setStatus(Serialization.unmarshal(
                "{\"conditions\": null, \"versions\": null}",
                ExplainableModelStatus.class)); // as a hand-written status may say
        assertThat(m.getStatus().getVersions()).isEmpty();
        ExplainableModelStatus s = StatusCalculator.compute(m, HASHES, Map.of("v1", rolledOut()), Map.of(), "t1");
        assertThat(condition(s, "Available").getLastTransitionTime()).isEqualTo("t1");
    }
}
