package dev.explainable.serving.runtime.service;

import java.nio.file.Path;
import java.util.Map;

import dev.explainable.serving.contract.ModelFetcherCommand;
import dev.explainable.serving.runtime.config.RuntimeOptions;
import dev.explainable.serving.runtime.config.StandaloneConfig;
import dev.explainable.serving.runtime.storage.ModelFetcher;
import dev.explainable.serving.runtime.storage.StorageException;
import dev.explainable.serving.runtime.storage.StorageSettings;

/**
 * The model fetcher as a command, without Quarkus or TensorFlow: the operator's init container runs it from the
 * runtime image ({@link ModelFetcherCommand}) as
 *
 * <pre>
 * java -cp '/deployments/app/*:/deployments/lib/main/*:/deployments/lib/boot/*' dev.explainable.serving.runtime.service.ModelFetchMain URI DIR
 * </pre>
 *
 * with the runtime's {@code EXPLAIN_STORAGE_*} settings in its environment. Exit 0 once the checked model is in DIR;
 * otherwise exit 1 with the reason on stderr and in {@code /dev/termination-log}, which the operator shows as the
 * version's {@code ModelFetchFailed} message.
 */
public final class ModelFetchMain {

    static final Path TERMINATION_LOG = TerminationMessage.LOG;

    private ModelFetchMain() {}

    public static void main(String[] args) {
        // one line per record on stderr (the container's log), as the runtime's own log reads
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s [%3$s] %5$s%6$s%n");
        System.exit(run(args, System.getenv(), TERMINATION_LOG));
    }

    /** Fetches; returns the exit status. */
    static int run(String[] args, Map<String, String> env, Path terminationLog) {
        if (args.length != 2) {
            System.err.println("usage: " + ModelFetcherCommand.MAIN_CLASS + " MODEL_URI DESTINATION_DIR");
            return 2;
        }
        try {
            new ModelFetcher(settings(env)).fetch(args[0], Path.of(args[1]));
            return 0;
        } catch (StorageException e) {
            return fail(e.getMessage(), terminationLog);
        } catch (RuntimeException e) {
            return fail("fetching " + args[0] + ": " + e, terminationLog);
        }
    }

    /**
     * The runtime's storage settings from the environment ({@code EXPLAIN_STORAGE_*}), read through the runtime's own
     * configuration mapping without Quarkus: the same names, defaults and value syntax.
     */
    static StorageSettings settings(Map<String, String> env) {
        return RuntimeOptions.storage(StandaloneConfig.fromEnvironment(env));
    }

    private static int fail(String reason, Path terminationLog) {
        System.err.println(reason);
        // Kubernetes shows the file's content as the container's termination message (at most 4 KiB)
        TerminationMessage.write(reason, terminationLog);
        return 1;
    }
}
