package dev.explainable.serving.runtime.batch;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

import dev.explainable.serving.runtime.config.ExplainConfig;
import dev.explainable.serving.runtime.config.RuntimeOptions;
import dev.explainable.serving.runtime.config.StandaloneConfig;
import dev.explainable.serving.runtime.service.ExplanationPipeline;
import dev.explainable.serving.runtime.service.LoadedModel;
import dev.explainable.serving.runtime.service.ModelLoader;
import dev.explainable.serving.runtime.service.ModelSource;
import dev.explainable.serving.runtime.service.TerminationMessage;
import dev.explainable.serving.runtime.storage.ObjectFiles;
import dev.explainable.serving.runtime.storage.StorageException;

/**
 * The batch entry: {@code java -jar quarkus-run.jar batch} runs one shard of a batch explanation job and exits,
 * without the HTTP server. Its settings are the runtime's, from the environment ({@code EXPLAIN_MODEL_DIR} with any
 * URI, the method's, {@code EXPLAIN_STORAGE_*}), plus {@code EXPLAIN_BATCH_*} ({@link BatchSettings}).
 *
 * <p>Exit status: {@value #DONE} the shard's two files are in the output folder (bad instances are lines of its
 * errors file, never a failure); {@value #FAILED} the shard failed as a whole (an input that cannot be read, an output
 * that cannot be written: worth a retry); {@value #BAD_CONFIGURATION} the settings cannot work (a retry fails
 * alike); {@value #MODEL_FAILED} the model did not load (as serving's exit-on-load-failure). Every failure prints one
 * line on stderr and writes it to {@code /dev/termination-log}; a shard that is done writes its counts there,
 * {@code {"successfulCount":N,"failedCount":M}}.
 */
public final class BatchMain {

    public static final int DONE = 0;
    public static final int FAILED = 1;
    public static final int BAD_CONFIGURATION = 2;
    public static final int MODEL_FAILED = 3;

    private BatchMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, TerminationMessage.LOG));
    }

    /** Runs the command; returns the exit status. */
    static int run(String[] args, Map<String, String> env, PrintStream out, Path terminationLog) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.print(HELP);
            return DONE;
        }
        if (args.length != 0) {
            return fail(
                    BAD_CONFIGURATION,
                    "usage: batch [--help] (settings come from EXPLAIN_* variables)",
                    terminationLog);
        }
        ExplainConfig config;
        try {
            config = StandaloneConfig.fromEnvironment(env);
        } catch (RuntimeException e) {
            return fail(BAD_CONFIGURATION, "invalid settings: " + e.getMessage(), terminationLog);
        }
        return run(config, env, terminationLog, null);
    }

    /**
     * Runs one shard with {@code config}; {@code loaded} is the model's pipeline where the caller has loaded it
     * (tests), else null and the configured model is loaded (and closed at the end).
     */
    public static int run(
            ExplainConfig config, Map<String, String> env, Path terminationLog, ExplanationPipeline loaded) {
        BatchSettings settings;
        try {
            settings = BatchSettings.from(config, env);
        } catch (BatchSettings.Invalid e) {
            return fail(BAD_CONFIGURATION, e.getMessage(), terminationLog);
        } catch (RuntimeException e) {
            return fail(BAD_CONFIGURATION, "invalid settings: " + e.getMessage(), terminationLog);
        }
        if (settings.generateExplanation()
                && !config.examples().uris().orElse(java.util.List.of()).isEmpty()) {
            return fail(
                    BAD_CONFIGURATION,
                    "explain.examples.uris: example-based explanations are online only (as on Vertex); a batch job"
                            + " explains with an attribution method",
                    terminationLog);
        }
        LoadedModel model = null;
        ExplanationPipeline pipeline = loaded;
        if (pipeline == null) {
            try {
                Path cacheDir = config.storage().cacheDir().map(Path::of).orElseGet(ModelSource::defaultCacheDir);
                model = ModelLoader.load(
                        ModelSource.local(RuntimeOptions.from(config), RuntimeOptions.storage(config), cacheDir));
                pipeline = model.pipeline();
            } catch (RuntimeException | Error e) {
                return fail(MODEL_FAILED, "model failed to load: " + message(e), terminationLog);
            }
        }
        try (ObjectFiles files = new ObjectFiles(RuntimeOptions.storage(config))) {
            BatchShard.Counts counts = new BatchShard(settings, pipeline, files).run();
            String summary = "{\"successfulCount\":" + counts.succeeded() + ",\"failedCount\":" + counts.failed() + "}";
            System.out.println(summary);
            // the shard's share of the input, as it read it (its byte range and the buffers past it)
            System.out.println("input bytes read: " + counts.bytesRead());
            TerminationMessage.write(summary, terminationLog);
            return DONE;
        } catch (StorageException | UncheckedIOException e) {
            return fail(
                    FAILED,
                    "shard " + settings.shardIndex() + " of " + settings.shardCount() + " failed: " + message(e),
                    terminationLog);
        } catch (RuntimeException e) {
            return fail(
                    FAILED,
                    "shard " + settings.shardIndex() + " of " + settings.shardCount() + " failed: " + e,
                    terminationLog);
        } finally {
            if (model != null) {
                model.close();
            }
        }
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private static int fail(int status, String reason, Path terminationLog) {
        String line = reason.replace('\n', ' ');
        System.err.println(line);
        TerminationMessage.write(line, terminationLog);
        return status;
    }

    static final String HELP = """
            usage: java -jar quarkus-run.jar batch [--help]

            Runs one shard of a batch explanation job and exits: reads its share of the input files, explains each
            instance with the model (as Vertex's :explain answers it), and writes prediction.errors_stats-NNNNN-of-MMMMM
            and then explanation.results-NNNNN-of-MMMMM (or prediction.results-... without explanations) into the
            output folder. Settings come from the environment: the runtime's (EXPLAIN_MODEL_DIR, a folder or a
            gs://, s3://, http(s):// URI; the method's, e.g. EXPLAIN_METHOD, EXPLAIN_INTEGRAL_STEPS;
            EXPLAIN_STORAGE_*), and:

              EXPLAIN_BATCH_INPUT_URIS             input files, comma-separated: gs://, s3:// or local paths, with * and ?
                                                   in the last segment (required)
              EXPLAIN_BATCH_INSTANCES_FORMAT       jsonl (default), csv (a header line, then one array instance a row),
                                                   file-list (one file location a line, each file {"b64": ...}),
                                                   tf-record or tf-record-gzip (each record {"b64": ...})
              EXPLAIN_BATCH_OUTPUT_DIRECTORY       the output folder: gs://, s3:// or local (required)
              EXPLAIN_BATCH_SHARD_INDEX            this shard, 0..count-1 (default JOB_COMPLETION_INDEX, else 0)
              EXPLAIN_BATCH_SHARD_COUNT            how many shards share the input (default 1)
              EXPLAIN_BATCH_GENERATE_EXPLANATION   true (default): explanations and predictions; false: predictions
              EXPLAIN_BATCH_INSTANCES_PER_CALL     instances explained in one call (default 8)
              EXPLAIN_BATCH_CALLS_IN_FLIGHT        calls explained at once, their TensorFlow runs shared (default 4)
              EXPLAIN_BATCH_INSTANCE_TYPE          object or array (default: csv rows arrays, jsonl as written)
              EXPLAIN_BATCH_KEY_FIELD              a field written as the line's "key" instead of the instance, not sent
              EXPLAIN_BATCH_INCLUDED_FIELDS        only these fields of an object instance, in this order (comma-separated)
              EXPLAIN_BATCH_EXCLUDED_FIELDS        all fields of an object instance but these (not with included)

            The input files, sorted, are one sequence of T bytes; shard i of N owns the bytes floor(i*T/N) to
            floor((i+1)*T/N) and reads only those (ranged reads): a line belongs to the shard whose range holds its
            first byte (a csv file's header, its first line, is skipped). A tf-record file cannot be split at a byte:
            it belongs whole to the shard whose range holds its first byte. Exit status: 0 done (bad instances are
            lines of the errors file), 1 the shard failed (input unreadable, output unwritable), 2 bad settings, 3 the
            model did not load; the reason is on stderr and in /dev/termination-log.
            """;
}
