package dev.explainable.serving.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;

import dev.explainable.serving.operator.api.ExplanationJob;
import dev.explainable.serving.operator.api.ExplanationJobSpec;
import dev.explainable.serving.operator.api.ExplanationJobStatus;
import dev.explainable.serving.operator.dependent.DesiredJob;

class JobStatusCalculatorTest {

    static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    static final String OUT = "gs://out/prediction-m-2026_12_06T11_00_00_000Z/";

    static ExplanationJob ej(int shards, boolean cancel) {
        ExplanationJobSpec spec = new ExplanationJobSpec();
        spec.parallelism = new ExplanationJobSpec.Parallelism();
        spec.parallelism.shards = shards;
        spec.cancel = cancel;
        ExplanationJob j = new ExplanationJob("j", spec);
        j.getMetadata().setGeneration(1L);
        return j;
    }

    static Job job(String completed, String failed, String condition, boolean suspend, int active) {
        JobBuilder b = new JobBuilder()
                .withNewSpec()
                .withSuspend(suspend)
                .endSpec()
                .withNewStatus()
                .withCompletedIndexes(completed)
                .withFailedIndexes(failed)
                .withActive(active)
                .endStatus();
        if (condition != null) {
            b.editStatus()
                    .addNewCondition()
                    .withType(condition)
                    .withStatus("True")
                    .withLastTransitionTime("2026-12-06T11:59:00Z")
                    .endCondition()
                    .endStatus();
        }
        return b.build();
    }

    static Pod pod(int index, String phase, int exitCode, String message) {
        PodBuilder b = new PodBuilder()
                .withNewMetadata()
                .withName("j-" + index + "-" + phase)
                .addToAnnotations("batch.kubernetes.io/job-completion-index", String.valueOf(index))
                .withCreationTimestamp("2026-12-06T11:00:0" + index + "Z")
                .endMetadata()
                .withNewStatus()
                .withPhase(phase)
                .withStartTime("2026-12-06T11:00:1" + index + "Z")
                .endStatus();
        if (!"Pending".equals(phase) && !"Running".equals(phase)) {
            b.editStatus()
                    .withContainerStatuses(new ContainerStatusBuilder()
                            .withName(DesiredJob.CONTAINER)
                            .withNewState()
                            .withNewTerminated()
                            .withExitCode(exitCode)
                            .withMessage(message)
                            .endTerminated()
                            .endState()
                            .build())
                    .endStatus();
        }
        return b.build();
    }

    @Test
    void queuedUntilAPodStartsThenRunning() {
        ExplanationJobStatus s = JobStatusCalculator.compute(
                ej(2, false), job(null, null, null, false, 2), List.of(pod(0, "Pending", 0, null)), OUT, NOW);
        assertThat(s.state).isEqualTo(ExplanationJobStatus.QUEUED);
        assertThat(s.startTime).isNull();
        assertThat(s.outputInfo.gcsOutputDirectory).isEqualTo(OUT);
        assertThat(s.progress).isEqualTo("0/2");
        s = JobStatusCalculator.compute(
                ej(2, false), job(null, null, null, false, 2), List.of(pod(0, "Running", 0, null)), OUT, NOW);
        assertThat(s.state).isEqualTo(ExplanationJobStatus.RUNNING);
        assertThat(s.startTime).isEqualTo("2026-12-06T11:00:10Z");
        assertThat(s.completionStats.successfulCount).isZero();
        assertThat(s.completionStats.incompleteCount)
                .as("unknown while running")
                .isEqualTo(-1);
    }

    @Test
    void succeededSumsTheShardsCountsEvenWithFailedLines() {
        List<Pod> pods = List.of(
                pod(0, "Succeeded", 0, "{\"successfulCount\":7,\"failedCount\":1}"),
                pod(1, "Failed", 1, "gs://in/a.jsonl: 503"), // retried
                pod(1, "Succeeded", 0, "{\"successfulCount\":3,\"failedCount\":0}\n"));
        ExplanationJobStatus s =
                JobStatusCalculator.compute(ej(2, false), job("0-1", null, "Complete", false, 0), pods, OUT, NOW);
        assertThat(s.state).isEqualTo(ExplanationJobStatus.SUCCEEDED);
        assertThat(s.completionStats.successfulCount).isEqualTo(10);
        assertThat(s.completionStats.failedCount).isEqualTo(1);
        assertThat(s.completionStats.incompleteCount).isZero();
        assertThat(s.partialFailures).isNull();
        assertThat(s.endTime).isEqualTo("2026-12-06T11:59:00Z");
        assertThat(s.conditions)
                .anyMatch(c -> c.getType().equals("Succeeded") && c.getStatus().equals("True"));
        assertThat(s.conditions)
                .anyMatch(c -> c.getType().equals("Failed") && c.getStatus().equals("False"));
    }

    @Test
    void failedWithTheFailedShardsReasonsAtMostTwenty() {
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            pods.add(pod(i, "Failed", 3, "the model did not load: no saved_model.pb"));
        }
        ExplanationJobStatus s =
                JobStatusCalculator.compute(ej(25, false), job(null, "0-24", "Failed", false, 0), pods, OUT, NOW);
        assertThat(s.state).isEqualTo(ExplanationJobStatus.FAILED);
        assertThat(s.partialFailures).hasSize(20);
        assertThat(s.completionStats.incompleteCount)
                .as("unknown after a failure")
                .isEqualTo(-1);
        assertThat(s.partialFailures.get(0).shard).isZero();
        assertThat(s.partialFailures.get(0).message).isEqualTo("the model did not load: no saved_model.pb");
        assertThat(s.conditions.get(1).getMessage()).contains("shard 0: the model did not load");
    }

    @Test
    void cancellingUntilNoPodRunsThenCancelled() {
        ExplanationJobStatus s = JobStatusCalculator.compute(
                ej(2, true), job(null, null, null, true, 1), List.of(pod(0, "Running", 0, null)), OUT, NOW);
        assertThat(s.state).isEqualTo(ExplanationJobStatus.CANCELLING);
        assertThat(s.endTime).isNull();
        Job suspended = job(null, null, "Suspended", true, 0);
        s = JobStatusCalculator.compute(ej(2, true), suspended, List.of(), OUT, NOW);
        assertThat(s.state).isEqualTo(ExplanationJobStatus.CANCELLED);
        assertThat(s.endTime).isEqualTo("2026-12-06T12:00:00Z");
    }

    @Test
    void s3FolderAndCompressedIndexes() {
        assertThat(JobStatusCalculator.outputInfo("s3://b/p/").s3OutputDirectory)
                .isEqualTo("s3://b/p/");
        assertThat(JobStatusCalculator.indexes("1,3-5")).containsExactly(1, 3, 4, 5);
        assertThat(JobStatusCalculator.counts("not json")).isNull();
    }
}
