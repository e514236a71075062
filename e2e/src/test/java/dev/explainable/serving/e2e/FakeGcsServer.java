package dev.explainable.serving.e2e;

import java.nio.file.Path;
import java.time.Duration;

import dev.explainable.serving.testkit.LocalProcesses;

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
        return Path.of(LocalProcesses.build("tools/storage/build-object-stores.sh", "fake-gcs-server")
                .get(0));
    }

    /** Starts the server on a free port of {@code host}, serving {@code data}; its log goes to {@code log}. */
    static FakeGcsServer start(String host, Path data, Path log) throws Exception {
        Path binary = binary();
        int port = LocalProcesses.freePort(host);
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
        if (!LocalProcesses.awaitOk(process, endpoint + "/storage/v1/b", Duration.ofSeconds(30))) {
            throw new IllegalStateException("fake-gcs-server did not serve " + endpoint);
        }
    }

    /** {@code http://<host>:<port>}, what {@code spec.storage.gcs.endpoint} names. */
    String endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        LocalProcesses.stop(process);
    }
}
