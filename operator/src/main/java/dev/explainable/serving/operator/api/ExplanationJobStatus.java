package dev.explainable.serving.operator.api;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.kubernetes.api.model.Condition;

/** An {@link ExplanationJob}'s state as Vertex's BatchPredictionJob reports it, derived from its Job and pods. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ExplanationJobStatus {

    public static final String QUEUED = "QUEUED";
    public static final String RUNNING = "RUNNING";
    public static final String SUCCEEDED = "SUCCEEDED";
    public static final String FAILED = "FAILED";
    public static final String CANCELLING = "CANCELLING";
    public static final String CANCELLED = "CANCELLED";

    public Long observedGeneration;

    @JsonPropertyDescription("QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLING or CANCELLED.")
    public String state;

    @JsonPropertyDescription("Shards done of all, e.g. 2/3.")
    public String progress;

    @JsonPropertyDescription("Instance counts of the shards that finished (their pods' termination messages).")
    public CompletionStats completionStats;

    @JsonPropertyDescription("The job's output folder, chosen once at its creation.")
    public OutputInfo outputInfo;

    @JsonPropertyDescription("When the first pod started (RFC 3339).")
    public String startTime;

    @JsonPropertyDescription("When the job became SUCCEEDED, FAILED or CANCELLED (RFC 3339).")
    public String endTime;

    @JsonPropertyDescription("Why shards failed for good, at most 20.")
    public List<PartialFailure> partialFailures;

    @JsonPropertyDescription("Succeeded and Failed, each True, False or Unknown.")
    public List<Condition> conditions = new ArrayList<>();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class CompletionStats {
        public Long successfulCount;
        public Long failedCount;

        @JsonPropertyDescription("Instances not yet explained: 0 once SUCCEEDED; -1 (unknown, Vertex's value) before"
                + " and after a failure or cancellation, since a shard says how many instances it held only when done.")
        public Long incompleteCount;

        public CompletionStats() {}

        public CompletionStats(long successfulCount, long failedCount) {
            this.successfulCount = successfulCount;
            this.failedCount = failedCount;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class OutputInfo {
        public String gcsOutputDirectory;
        public String s3OutputDirectory;

        @JsonPropertyDescription("The output folder on a PVC, pvc://<claim>/<path>/ (not Vertex's).")
        public String pvcOutputDirectory;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class PartialFailure {
        @JsonPropertyDescription("The shard (the Job's completion index).")
        public Integer shard;

        public String message;

        public PartialFailure() {}

        public PartialFailure(int shard, String message) {
            this.shard = shard;
            this.message = message;
        }
    }
}
