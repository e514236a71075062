package dev.explainable.serving.operator.status;

import static dev.explainable.serving.operator.status.StatusFixtures.deployment;
import static dev.explainable.serving.operator.status.StatusFixtures.v1;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.apps.Deployment;

import dev.explainable.serving.operator.api.VersionStatus;
import dev.explainable.serving.operator.dependent.AppliedHash;

/** A version's state from its Deployment as the deployment controller reports it. */
class VersionStatesTest {

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
}
