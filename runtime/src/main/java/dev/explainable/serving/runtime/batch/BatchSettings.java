package dev.explainable.serving.runtime.batch;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.explainable.serving.runtime.config.ExplainConfig;

/**
 * One shard's settings ({@code explain.batch.*}), checked: what it reads, in which format, where it writes, which
 * shard of how many it is.
 */
public record BatchSettings(
        List<String> inputUris,
        InstancesFormat format,
        String outputDirectory,
        int shardIndex,
        int shardCount,
        boolean generateExplanation,
        int instancesPerCall,
        int callsInFlight,
        long maxLineBytes,
        InstanceShaper shaper) {

    /** Settings that cannot work: exit 2, the reason in words. */
    public static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message);
        }
    }

    /** The variable Kubernetes sets in each pod of an Indexed Job. */
    public static final String JOB_COMPLETION_INDEX = "JOB_COMPLETION_INDEX";

    /** The settings of {@code config}; the shard index defaults to {@code env}'s JOB_COMPLETION_INDEX, else 0. */
    public static BatchSettings from(ExplainConfig config, Map<String, String> env) {
        ExplainConfig.Batch b = config.batch();
        List<String> inputs = b.inputUris().orElse(List.of()).stream()
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
        if (inputs.isEmpty()) {
            throw new Invalid("explain.batch.input-uris (EXPLAIN_BATCH_INPUT_URIS) is not set: name the input files");
        }
        String output = b.outputDirectory().map(String::trim).orElse("");
        if (output.isEmpty()) {
            throw new Invalid("explain.batch.output-directory (EXPLAIN_BATCH_OUTPUT_DIRECTORY) is not set");
        }
        int count = b.shardCount();
        if (count < 1 || count > 99_999) {
            throw new Invalid("explain.batch.shard-count must be 1..99999, got " + count);
        }
        int index;
        if (b.shardIndex().isPresent()) {
            index = b.shardIndex().get();
        } else if (env.get(JOB_COMPLETION_INDEX) != null) {
            try {
                index = Integer.parseInt(env.get(JOB_COMPLETION_INDEX).trim());
            } catch (NumberFormatException e) {
                throw new Invalid(JOB_COMPLETION_INDEX + " is not a number: " + env.get(JOB_COMPLETION_INDEX));
            }
        } else {
            index = 0;
        }
        if (index < 0 || index >= count) {
            throw new Invalid("the shard index " + index + " is not in 0.." + (count - 1)
                    + " (explain.batch.shard-index, else JOB_COMPLETION_INDEX; explain.batch.shard-count " + count
                    + ")");
        }
        if (b.instancesPerCall() < 1 || b.instancesPerCall() > config.limits().maxInstances()) {
            throw new Invalid("explain.batch.instances-per-call must be 1..explain.limits.max-instances ("
                    + config.limits().maxInstances() + "), got " + b.instancesPerCall());
        }
        if (b.callsInFlight() < 1 || b.callsInFlight() > 256) {
            throw new Invalid("explain.batch.calls-in-flight must be 1..256, got " + b.callsInFlight());
        }
        InstancesFormat format = InstancesFormat.parse(b.instancesFormat());
        InstanceShaper shaper =
                InstanceShaper.of(b.instanceType(), b.keyField(), b.includedFields(), b.excludedFields());
        if (format.bytes() && shaper.configured()) {
            throw new Invalid("explain.batch.instance-type, key-field, included-fields and excluded-fields apply to"
                    + " jsonl and csv instances; a " + format.text() + "'s instances are {\"b64\": ...}");
        }
        return new BatchSettings(
                inputs,
                format,
                output,
                index,
                count,
                b.generateExplanation(),
                b.instancesPerCall(),
                b.callsInFlight(),
                config.maxRequestBytes(),
                shaper);
    }

    /** The results file's name: Vertex's, 5 digits each. */
    public String resultsName() {
        return (generateExplanation ? "explanation" : "prediction") + ".results-" + suffix();
    }

    /**
     * The attribution profile's name (with explanations only): the shard's explanations as a profile, which
     * explain.monitoring.baseline-uri reads (a pattern of these merges the job's shards).
     */
    public String profileName() {
        return "attribution.profile-" + suffix() + ".json";
    }

    /** The errors file's name. */
    public String errorsName() {
        return "prediction.errors_stats-" + suffix();
    }

    private String suffix() {
        return String.format(Locale.ROOT, "%05d-of-%05d", shardIndex, shardCount);
    }
}
