package dev.explainable.serving.operator.api;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What an {@link ExplanationJob} explains, where it reads and writes, how wide it runs. Immutable but for cancel. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "self.model == oldSelf.model && self.inputConfig == oldSelf.inputConfig"
                + " && self.outputConfig == oldSelf.outputConfig"
                + " && has(self.generateExplanation) == has(oldSelf.generateExplanation)"
                + " && (!has(self.generateExplanation) || self.generateExplanation == oldSelf.generateExplanation)"
                + " && has(self.parallelism) == has(oldSelf.parallelism)"
                + " && (!has(self.parallelism) || self.parallelism == oldSelf.parallelism)"
                + " && has(self.resources) == has(oldSelf.resources)"
                + " && (!has(self.resources) || self.resources == oldSelf.resources)",
        message = "an ExplanationJob's spec cannot change after creation, except cancel",
        reason = "FieldValueForbidden")
@ValidationRule(
        value = "!has(oldSelf.cancel) || !oldSelf.cancel || (has(self.cancel) && self.cancel)",
        message = "a cancelled job stays cancelled (create a new one)",
        reason = "FieldValueForbidden")
@ValidationRule(
        value = "!has(self.parallelism) || !has(self.parallelism.pods) || !has(self.parallelism.shards)"
                + " || self.parallelism.pods <= self.parallelism.shards",
        message = "parallelism.pods cannot exceed parallelism.shards",
        reason = "FieldValueInvalid")
public class ExplanationJobSpec {

    public static final String JSONL = "jsonl";
    public static final String CSV = "csv";
    public static final String FILE_LIST = "file-list";

    @Required
    @JsonPropertyDescription("The ExplainableModel (in the job's namespace) whose version explains the instances: its"
            + " modelUri, explanation method and parameters, inline metadata, resources and storage are the job's.")
    public ModelRef model;

    @Required
    @JsonPropertyDescription("The instances: files and their format (Vertex's inputConfig).")
    public InputConfig inputConfig;

    @Required
    @JsonPropertyDescription("Where the results go (Vertex's outputConfig; jsonl).")
    public OutputConfig outputConfig;

    @Default("true")
    @JsonPropertyDescription("Explain each instance (explanation.results-* files); false: predictions only"
            + " (prediction.results-*). Default true.")
    public Boolean generateExplanation = true;

    @JsonPropertyDescription("Shards (the Job's indexes) and how many run at once.")
    public Parallelism parallelism;

    @JsonPropertyDescription("Compute resources of each shard's pod; default the model version's.")
    public ResourcesSpec resources;

    @JsonPropertyDescription("true: stop the job (its Job is suspended, its pods deleted); what was written stays."
            + " Cannot be undone.")
    public Boolean cancel;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ModelRef {
        @Required
        @Size(min = 1, max = 63)
        @JsonPropertyDescription("The ExplainableModel's name.")
        public String name;

        @JsonPropertyDescription("One of its versions; default the model's defaultVersion.")
        public String version;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class InputConfig {
        @Required
        @Size(min = 1, max = 100)
        @JsonPropertyDescription("Input files: gs:// or s3:// URIs (read with the model's spec.storage); * and ?"
                + " wildcards in the last segment.")
        public List<@Pattern("^(gs|s3)://.+$") String> uris = new ArrayList<>();

        @Required
        @Pattern("^(jsonl|csv|file-list)$")
        @JsonPropertyDescription("jsonl (one instance a line), csv (a header line first) or file-list (one file URI"
                + " a line, each file an instance {\"b64\": ...}).")
        public String instancesFormat;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class OutputConfig {
        @Required
        @Pattern("^(gs|s3)://[a-z0-9][a-z0-9._-]{1,221}[a-z0-9](/.*)?$")
        @JsonPropertyDescription("gs:// or s3:// folder; the job writes into its sub-folder"
                + " prediction-<model>-<creation time>/ (status.outputInfo).")
        public String outputUriPrefix;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Parallelism {
        @Min(1)
        @Max(1000)
        @JsonPropertyDescription("How many shards (indexes of the Job) share the input; default 1.")
        public Integer shards;

        @Min(1)
        @Max(1000)
        @JsonPropertyDescription("How many shards run at once; default min(shards, 4).")
        public Integer pods;
    }

    /** The shard count: {@code parallelism.shards}, default 1. */
    public int shards() {
        return parallelism == null || parallelism.shards == null ? 1 : parallelism.shards;
    }

    /** Pods at once: {@code parallelism.pods}, default min(shards, 4). */
    public int pods() {
        return parallelism == null || parallelism.pods == null ? Math.min(shards(), 4) : parallelism.pods;
    }

    public boolean cancelled() {
        return Boolean.TRUE.equals(cancel);
    }

    public boolean explains() {
        return !Boolean.FALSE.equals(generateExplanation);
    }
}
