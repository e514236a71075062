package dev.explainable.serving.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Google's gcloud as a test runs it: the installed binary, unchanged, with a configuration folder of the test's own
 * ({@code CLOUDSDK_CONFIG}), never prompting. {@link #present()} says whether it is on the PATH (CI machines have it).
 */
public final class Gcloud {

    /** The exit status of a run killed at its time limit. */
    public static final int KILLED = -1;

    /** One run: the exit status ({@link #KILLED} past its limit) and what it printed. */
    public record Run(int exit, String out, String err) {}

    private final Path config;

    private Gcloud(Path config) {
        this.config = config;
    }

    /** Whether {@code gcloud} is on the PATH. */
    public static boolean present() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "gcloud"))) {
                return true;
            }
        }
        return false;
    }

    /** gcloud with a new, empty configuration folder. */
    public static Gcloud withNewConfig() throws IOException {
        return new Gcloud(Files.createTempDirectory("gcloud-config"));
    }

    /** {@code gcloud config set property value}; fails unless it exits 0. */
    public Gcloud set(String property, String value) throws Exception {
        Run r = run(List.of("config", "set", property, value));
        if (r.exit() != 0) {
            throw new IllegalStateException("gcloud config set " + property + " failed: " + r.err());
        }
        return this;
    }

    /** Runs gcloud with {@code args}, killed after {@code seconds}. */
    public Run run(List<String> args, long seconds) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("gcloud"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("CLOUDSDK_CONFIG", config.toString());
        pb.environment().put("CLOUDSDK_CORE_DISABLE_PROMPTS", "1");
        Path out = Files.createTempFile("gcloud", ".out");
        Path err = Files.createTempFile("gcloud", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return new Run(
                        KILLED,
                        Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8) + "\n(killed after " + seconds + " s)");
            }
            return new Run(
                    p.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    public Run run(List<String> args) throws Exception {
        return run(args, 120);
    }
}
