package dev.explainable.serving.operator.status;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;

import dev.explainable.serving.operator.api.ExplanationJob;
import dev.explainable.serving.operator.api.ExplanationJobStatus;
import dev.explainable.serving.operator.dependent.DesiredJob;

/**
 * An {@link ExplanationJob}'s status, as Vertex's BatchPredictionJob reports it, from its Kubernetes Job and that
 * Job's pods alone: the state from the Job's conditions (Complete, Failed), its suspension and its pods; the counts
 * from the termination messages of the shards that succeeded ({@code {"successfulCount":N,"failedCount":M}}, the batch
 * entry's); the reasons of shards that failed for good from their last pod's termination message.
 *
 * <p>{@code incompleteCount} is -1 (Vertex's "unknown") until the job succeeds (then 0): a shard that has not
 * finished has not said how many instances it holds.
 */
public final class JobStatusCalculator {

    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";
    public static final int MAX_PARTIAL_FAILURES = 20;
    static final String INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index";

    private static final ObjectMapper JSON = new ObjectMapper();

    private JobStatusCalculator() {}

    /**
     * @param job the ExplanationJob, its previous status kept where it fixes a moment (start and end times)
     * @param k8sJob its Job, null when there is none (yet)
     * @param pods the Job's pods
     * @param outputDirectory the job's output folder
     */
    public static ExplanationJobStatus compute(
            ExplanationJob job, Job k8sJob, List<Pod> pods, String outputDirectory, Instant now) {
        ExplanationJobStatus previous = job.getStatus();
        ExplanationJobStatus s = new ExplanationJobStatus();
        s.observedGeneration = job.getMetadata().getGeneration();
        s.outputInfo = outputInfo(outputDirectory);
        int shards = job.getSpec().shards();

        TreeSet<Integer> completed = new TreeSet<>();
        TreeSet<Integer> failedIndexes = new TreeSet<>();
        if (k8sJob != null && k8sJob.getStatus() != null) {
            completed.addAll(indexes(k8sJob.getStatus().getCompletedIndexes()));
            failedIndexes.addAll(indexes(k8sJob.getStatus().getFailedIndexes()));
        }
        s.progress = completed.size() + "/" + shards;

        // counts: one succeeded pod per index
        Map<Integer, long[]> counts = new TreeMap<>();
        Map<Integer, Pod> lastFailed = new TreeMap<>();
        boolean started = false;
        boolean running = false;
        String firstStart = null;
        for (Pod p : pods) {
            Integer index = index(p);
            String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
            boolean terminal = "Succeeded".equals(phase) || "Failed".equals(phase);
            if ("Running".equals(phase) || terminal) {
                started = true;
            }
            if (!terminal) {
                running = true;
            }
            // a pending pod's startTime is when its kubelet took it (pulling images, fetching the model): not a start
            if (("Running".equals(phase) || terminal) && p.getStatus().getStartTime() != null) {
                String t = p.getStatus().getStartTime();
                firstStart = firstStart == null || t.compareTo(firstStart) < 0 ? t : firstStart;
            }
            if (index == null) {
                continue;
            }
            if ("Succeeded".equals(phase)) {
                long[] c = counts(terminationMessage(p));
                if (c != null) {
                    counts.putIfAbsent(index, c);
                }
            } else if ("Failed".equals(phase)) {
                Pod known = lastFailed.get(index);
                if (known == null || created(p).compareTo(created(known)) > 0) {
                    lastFailed.put(index, p);
                }
            }
        }
        if (k8sJob != null && k8sJob.getStatus() != null) {
            var st = k8sJob.getStatus();
            started = started || positive(st.getSucceeded()) || positive(st.getFailed()) || positive(st.getReady());
            running = running || positive(st.getActive());
        }
        if (k8sJob != null) {
            long ok = 0;
            long bad = 0;
            for (long[] c : counts.values()) {
                ok += c[0];
                bad += c[1];
            }
            s.completionStats = new ExplanationJobStatus.CompletionStats(ok, bad);
        }

        List<ExplanationJobStatus.PartialFailure> failures = new ArrayList<>();
        for (int index : failedIndexes) {
            if (failures.size() == MAX_PARTIAL_FAILURES) {
                break;
            }
            Pod p = lastFailed.get(index);
            failures.add(
                    new ExplanationJobStatus.PartialFailure(index, p == null ? "the shard failed" : failureReason(p)));
        }
        s.partialFailures = failures.isEmpty() ? null : failures;

        JobCondition complete = condition(k8sJob, "Complete");
        JobCondition failed = condition(k8sJob, "Failed");
        String message;
        if (complete != null) {
            s.state = ExplanationJobStatus.SUCCEEDED;
            message = "every shard succeeded";
        } else if (failed != null) {
            s.state = ExplanationJobStatus.FAILED;
            message = failures.isEmpty()
                    ? Objects.toString(failed.getMessage(), failed.getReason())
                    : "shard " + failures.get(0).shard + ": " + failures.get(0).message;
        } else if (job.getSpec().cancelled()) {
            boolean suspended = k8sJob == null
                    || Boolean.TRUE.equals(k8sJob.getSpec().getSuspend()) && condition(k8sJob, "Suspended") != null;
            s.state = suspended && !running ? ExplanationJobStatus.CANCELLED : ExplanationJobStatus.CANCELLING;
            message = "cancelled";
        } else if (started) {
            s.state = ExplanationJobStatus.RUNNING;
            message = s.progress + " shards done";
        } else {
            s.state = ExplanationJobStatus.QUEUED;
            message = k8sJob == null ? "the Job is not created yet" : "no shard has started yet";
        }

        if (s.completionStats != null) {
            s.completionStats.incompleteCount = ExplanationJobStatus.SUCCEEDED.equals(s.state) ? 0L : -1L;
        }

        String nowText = now.truncatedTo(ChronoUnit.SECONDS).toString();
        s.startTime = previous != null && previous.startTime != null
                ? previous.startTime
                : firstStart != null
                        ? firstStart
                        : started
                                        && k8sJob.getStatus() != null
                                        && k8sJob.getStatus().getStartTime() != null
                                ? k8sJob.getStatus().getStartTime()
                                : started ? nowText : null;
        boolean ended = ExplanationJobStatus.SUCCEEDED.equals(s.state)
                || ExplanationJobStatus.FAILED.equals(s.state)
                || ExplanationJobStatus.CANCELLED.equals(s.state);
        if (ended) {
            JobCondition end = complete != null ? complete : failed;
            s.endTime = previous != null && previous.endTime != null
                    ? previous.endTime
                    : end != null && end.getLastTransitionTime() != null ? end.getLastTransitionTime() : nowText;
        }

        String succeededStatus = ExplanationJobStatus.SUCCEEDED.equals(s.state) ? "True" : ended ? "False" : "Unknown";
        s.conditions = List.of(
                condition(previous, SUCCEEDED, succeededStatus, reason(s.state), message, nowText),
                condition(
                        previous,
                        FAILED,
                        ExplanationJobStatus.FAILED.equals(s.state) ? "True" : "False",
                        reason(s.state),
                        message,
                        nowText));
        return s;
    }

    /** A status for a job that cannot start (no such model or version, the operator's policy refuses the model). */
    public static ExplanationJobStatus refused(
            ExplanationJob job, String state, String reason, String message, String outputDirectory, Instant now) {
        ExplanationJobStatus previous = job.getStatus();
        ExplanationJobStatus s = new ExplanationJobStatus();
        s.observedGeneration = job.getMetadata().getGeneration();
        s.outputInfo = outputInfo(outputDirectory);
        s.state = state;
        s.progress = "0/" + job.getSpec().shards();
        String nowText = now.truncatedTo(ChronoUnit.SECONDS).toString();
        boolean failed = ExplanationJobStatus.FAILED.equals(state);
        if (failed) {
            s.endTime = previous != null && previous.endTime != null ? previous.endTime : nowText;
        }
        s.conditions = List.of(
                condition(previous, SUCCEEDED, failed ? "False" : "Unknown", reason, message, nowText),
                condition(previous, FAILED, failed ? "True" : "False", reason, message, nowText));
        return s;
    }

    static ExplanationJobStatus.OutputInfo outputInfo(String outputDirectory) {
        ExplanationJobStatus.OutputInfo info = new ExplanationJobStatus.OutputInfo();
        if (outputDirectory.startsWith("s3://")) {
            info.s3OutputDirectory = outputDirectory;
        } else if (outputDirectory.startsWith("pvc://")) {
            info.pvcOutputDirectory = outputDirectory;
        } else {
            info.gcsOutputDirectory = outputDirectory;
        }
        return info;
    }

    /** The output folder a previous status recorded, or null. */
    public static String outputDirectory(ExplanationJobStatus status) {
        if (status == null || status.outputInfo == null) {
            return null;
        }
        ExplanationJobStatus.OutputInfo info = status.outputInfo;
        return info.gcsOutputDirectory != null
                ? info.gcsOutputDirectory
                : info.s3OutputDirectory != null ? info.s3OutputDirectory : info.pvcOutputDirectory;
    }

    private static String reason(String state) {
        return switch (state) {
            case ExplanationJobStatus.SUCCEEDED -> "AllShardsSucceeded";
            case ExplanationJobStatus.FAILED -> "ShardFailed";
            case ExplanationJobStatus.CANCELLING -> "Cancelling";
            case ExplanationJobStatus.CANCELLED -> "Cancelled";
            case ExplanationJobStatus.RUNNING -> "Running";
            default -> "Queued";
        };
    }

    private static Condition condition(
            ExplanationJobStatus previous, String type, String status, String reason, String message, String now) {
        String since = now;
        if (previous != null && previous.conditions != null) {
            for (Condition c : previous.conditions) {
                if (type.equals(c.getType()) && status.equals(c.getStatus()) && c.getLastTransitionTime() != null) {
                    since = c.getLastTransitionTime();
                }
            }
        }
        return new ConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(reason)
                .withMessage(message)
                .withLastTransitionTime(since)
                .build();
    }

    private static JobCondition condition(Job job, String type) {
        if (job == null || job.getStatus() == null || job.getStatus().getConditions() == null) {
            return null;
        }
        return job.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
                .findFirst()
                .orElse(null);
    }

    private static boolean positive(Integer n) {
        return n != null && n > 0;
    }

    private static String created(Pod p) {
        return Objects.toString(p.getMetadata().getCreationTimestamp(), "");
    }

    private static Integer index(Pod p) {
        String i = p.getMetadata().getAnnotations() == null
                ? null
                : p.getMetadata().getAnnotations().get(INDEX_ANNOTATION);
        if (i == null && p.getMetadata().getLabels() != null) {
            i = p.getMetadata().getLabels().get(INDEX_ANNOTATION);
        }
        try {
            return i == null ? null : Integer.valueOf(i);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The runtime container's termination message, else null. */
    static String terminationMessage(Pod p) {
        if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
            return null;
        }
        for (ContainerStatus c : p.getStatus().getContainerStatuses()) {
            if (DesiredJob.CONTAINER.equals(c.getName())
                    && c.getState() != null
                    && c.getState().getTerminated() != null) {
                return c.getState().getTerminated().getMessage();
            }
        }
        return null;
    }

    /** Why a failed pod failed: its runtime's (or model fetcher's) termination message, else the pod's reason. */
    static String failureReason(Pod p) {
        String message = terminationMessage(p);
        if (message == null && p.getStatus().getInitContainerStatuses() != null) {
            for (ContainerStatus c : p.getStatus().getInitContainerStatuses()) {
                if (c.getState() != null
                        && c.getState().getTerminated() != null
                        && c.getState().getTerminated().getExitCode() != null
                        && c.getState().getTerminated().getExitCode() != 0) {
                    message = c.getName() + ": " + c.getState().getTerminated().getMessage();
                }
            }
        }
        if (message == null || message.isBlank()) {
            message = Objects.toString(
                    p.getStatus().getMessage(), Objects.toString(p.getStatus().getReason(), "the pod failed"));
        }
        message = message.strip();
        return message.length() > 1024 ? message.substring(0, 1024) : message;
    }

    /** {successfulCount, failedCount} from the batch entry's termination message, else null. */
    static long[] counts(String message) {
        if (message == null || message.isBlank()) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(message.strip());
            if (n == null || !n.has("successfulCount")) {
                return null;
            }
            return new long[] {
                n.path("successfulCount").asLong(), n.path("failedCount").asLong()
            };
        } catch (Exception e) {
            return null;
        }
    }

    /** Indexes from the Job's compressed form, {@code "1,3-5"}. */
    static List<Integer> indexes(String compressed) {
        List<Integer> out = new ArrayList<>();
        if (compressed == null || compressed.isBlank()) {
            return out;
        }
        for (String part : compressed.split(",")) {
            String[] range = part.strip().split("-");
            int from = Integer.parseInt(range[0]);
            int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
            for (int i = from; i <= to; i++) {
                out.add(i);
            }
        }
        return out;
    }
}
