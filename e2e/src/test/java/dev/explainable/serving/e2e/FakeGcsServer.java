package dev.explainable.serving.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.explainable.serving.operator.controlplane.ControlPlane;

/**
 * fake-gcs-server (Cloud Storage's JSON API), the storage tests' server: built from its Go module by
 * tools/storage/build-object-stores.sh on first use and cached under ~/.cache/explainable-serving/object-stores. It
 * serves the top folders of a data folder as buckets, from memory (the folder is read once, at start), over plain
 * HTTP on one address of this machine: for the end-to-end test, this machine's end of the node's veth pair, which
 * the pods reach through the node (no other interface listens).
 */
final class FakeGcsServer implements AutoCloseable {

    private final Process process;
    private final String endpoint;

    private FakeGcsServer(Process process, String endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    /** The server's binary, building it first if needed (tools/storage/build-object-stores.sh prints it first). */
    static Path binary() throws Exception {
        Process build = new ProcessBuilder(
                        "bash",
                        ControlPlane.repoRoot()
                                .resolve("tools/storage/build-object-stores.sh")
                                .toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!build.waitFor(30, TimeUnit.MINUTES) || build.exitValue() != 0 || out.isEmpty()) {
            throw new IllegalStateException("building fake-gcs-server failed (see the output above)");
        }
        return Path.of(out.lines().findFirst().orElseThrow());
    }

    /** Starts the server on a free port of {@code host}, serving {@code data}; its log goes to {@code log}. */
    static FakeGcsServer start(String host, Path data, Path log) throws Exception {
        Path binary = binary();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder(
                        binary.toString(),
                        "-scheme",
                        "http",
                        "-host",
                        host,
                        "-port",
                        String.valueOf(port),
                        "-public-host",
                        host + ":" + port,
                        "-backend",
                        "memory",
                        "-data",
                        data.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        FakeGcsServer server = new FakeGcsServer(p, "http://" + host + ":" + port);
        try {
            server.awaitServing();
        } catch (Exception e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void awaitServing() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                HttpResponse<Void> r = client.send(
                        HttpRequest.newBuilder(URI.create(endpoint + "/storage/v1/b"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("fake-gcs-server did not serve " + endpoint);
    }

    /** {@code http://<host>:<port>}, what {@code spec.storage.gcs.endpoint} names. */
    String endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
