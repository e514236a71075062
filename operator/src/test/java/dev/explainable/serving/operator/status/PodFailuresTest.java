package dev.explainable.serving.operator.status;

import static dev.explainable.serving.operator.status.StatusFixtures.FETCH_DENIED;
import static dev.explainable.serving.operator.status.StatusFixtures.crashLooping;
import static dev.explainable.serving.operator.status.StatusFixtures.deployment;
import static dev.explainable.serving.operator.status.StatusFixtures.initCrashLooping;
import static dev.explainable.serving.operator.status.StatusFixtures.restartedOnceAndReady;
import static dev.explainable.serving.operator.status.StatusFixtures.rolledOut;
import static dev.explainable.serving.operator.status.StatusFixtures.v1;
import static dev.explainable.serving.operator.status.StatusFixtures.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

import dev.explainable.serving.operator.api.VersionStatus;

/** A version failing because of its pods: the scheduler's, the kubelet's and the containers' own words. */
class PodFailuresTest {

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
}
