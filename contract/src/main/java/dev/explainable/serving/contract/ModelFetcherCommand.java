package dev.explainable.serving.contract;

import java.util.List;

/**
 * How the operator runs the runtime image's model fetcher as an init container: a plain {@code main} class on the
 * Quarkus fast-jar's class path (no Quarkus boot, no TensorFlow), with the model URI and the destination folder as
 * arguments and the {@code EXPLAIN_STORAGE_*} settings ({@link RuntimeSetting}) in its environment. Exit 0 once the
 * checked model is in the destination; otherwise 1, with the reason in {@code /dev/termination-log}.
 */
public final class ModelFetcherCommand {

    /** The fetcher's main class in the runtime's application jar. */
    public static final String MAIN_CLASS = "dev.explainable.serving.runtime.service.ModelFetchMain";

    /** The runtime image's class path: the application jar and its libraries (Quarkus fast-jar under /deployments; lib/boot holds smallrye-common and the log manager). */
    public static final String CLASS_PATH = "/deployments/app/*:/deployments/lib/main/*:/deployments/lib/boot/*";

    private ModelFetcherCommand() {}

    /** The container command fetching {@code uri} into {@code destination}. */
    public static List<String> command(String uri, String destination) {
        return List.of("java", "-cp", CLASS_PATH, MAIN_CLASS, uri, destination);
    }
}
