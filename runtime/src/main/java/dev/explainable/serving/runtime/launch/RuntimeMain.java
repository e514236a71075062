package dev.explainable.serving.runtime.launch;

import java.util.Arrays;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

import dev.explainable.serving.runtime.batch.BatchMain;

/**
 * The runtime's entry point ({@code java -jar quarkus-run.jar}): with {@code batch} as its first argument, the batch
 * entry ({@link BatchMain}, one shard of a batch explanation job, without the HTTP server, then exit); otherwise the
 * server, started exactly as Quarkus' generated main starts it.
 */
@QuarkusMain
public final class RuntimeMain {

    private RuntimeMain() {}

    public static void main(String... args) {
        if (args.length > 0 && args[0].equals("batch")) {
            BatchMain.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Quarkus.run(args);
    }
}
