package dev.explainable.serving.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * What the tests' own servers (the control plane, the end-to-end test's node, CoreDNS, fake-gcs-server) share: build,
 * start, wait, stop.
 */
public final class LocalProcesses {

    private LocalProcesses() {}

    /**
     * Runs a build script of the repository ({@code tools/...}), its errors to this process's, and returns the lines
     * it printed (the paths of what it built or found cached).
     */
    public static List<String> build(String script, String what) throws Exception {
        return build(script, what, Duration.ofMinutes(30));
    }

    /** As {@link #build(String, String)}, for a build that may take up to {@code limit}. */
    public static List<String> build(String script, String what, Duration limit) throws Exception {
        Process build = new ProcessBuilder(
                        "bash", ControlPlane.repoRoot().resolve(script).toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!build.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS) || build.exitValue() != 0 || out.isEmpty()) {
            throw new IllegalStateException("building " + what + " failed (see the output above)");
        }
        return out.lines().toList();
    }

    /** A port free on every address now. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A port free on {@code host} now. */
    public static int freePort(String host) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }

    /** Waits until {@code url} answers 200 while {@code process} lives; false when it did not within {@code wait}. */
    public static boolean awaitOk(Process process, String url, Duration wait) {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(5))
                .build();
        try {
            Awaitility.await(url + " answers 200")
                    .atMost(wait)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(100))
                    .ignoreExceptionsInstanceOf(IOException.class) // not listening yet
                    .failFast(() -> !process.isAlive())
                    .until(() -> client.send(request, HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 200);
            return true;
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            return false;
        }
    }

    /** SIGTERM, and SIGKILL if it has not ended 15 s later. */
    public static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
