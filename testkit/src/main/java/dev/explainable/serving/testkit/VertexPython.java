package dev.explainable.serving.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The Python of the virtualenv that tools/ensure-vertex-sdk.sh makes (Google's Vertex AI SDK, numpy), which .ci/run
 * calls: where it is, and a script run under it with its output read whole.
 */
public final class VertexPython {

    /** {@code <cache>/pyenv-vertex/bin/python}. */
    public static final Path PYTHON = Path.of(
            System.getenv()
                    .getOrDefault("EXPLAINABLE_CACHE", System.getProperty("user.home") + "/.cache/explainable-serving"),
            "pyenv-vertex/bin/python");

    private static final ObjectMapper JSON = new ObjectMapper();

    private VertexPython() {}

    /** Whether the virtualenv is here. */
    public static boolean present() {
        return Files.isExecutable(PYTHON);
    }

    /** A finished script: its exit status and what it wrote. */
    public record Run(int exit, String out, String err) {

        /**
         * The script's answer: the JSON after "RESULT " on its own line (the SDK logs its progress on stdout too).
         */
        public JsonNode result() {
            String line = out.lines()
                    .filter(l -> l.startsWith("RESULT "))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no RESULT line in: " + out + err));
            try {
                return JSON.readTree(line.substring("RESULT ".length()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Runs {@code script} with {@code args} (and {@code env} added), both streams read while it runs; fails if it has
     * not ended within {@code limit}. The exit status is the caller's to check.
     */
    public static Run run(Map<String, String> env, Duration limit, String script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), script));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(script + " did not end within " + limit + ": " + out + err.get());
        }
        return new Run(p.exitValue(), out, err.get());
    }
}
