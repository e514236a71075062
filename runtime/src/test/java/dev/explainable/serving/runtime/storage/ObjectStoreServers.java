package dev.explainable.serving.runtime.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * The real object-store servers of the storage tests, no Docker: fake-gcs-server and gofakes3, built from the Go
 * module proxy by tools/storage/build-object-stores.sh (cached), and S3Proxy (a Maven artifact, copied to
 * target/s3proxy by the build), each started on a free loopback port. Where they cannot be built, tests skip with
 * one line.
 */
public final class ObjectStoreServers {

    private static final Path SCRIPT = Path.of("../tools/storage/build-object-stores.sh");
    private static final Path S3PROXY_DIR = Path.of("target/s3proxy");
    private static Optional<List<Path>> binaries;
    private static String why = "";

    private ObjectStoreServers() {}

    /** Whether the Go servers are built (building them the first time); for {@code @EnabledIf}. */
    public static synchronized boolean available() {
        if (binaries == null) {
            binaries = build();
            if (binaries.isEmpty()) {
                System.err.println("[storage tests] skipped: fake-gcs-server and gofakes3 could not be built (" + why
                        + "); run tools/storage/build-object-stores.sh");
            }
        }
        return binaries.isPresent();
    }

    /** Skips the calling test (one line) where the servers cannot be built. */
    public static void assumeAvailable() {
        Assumptions.assumeTrue(available(), "object-store servers not built: " + why);
    }

    private static Optional<List<Path>> build() {
        try {
            Path log = Files.createTempFile("object-stores", ".log");
            Process p = new ProcessBuilder("bash", SCRIPT.toString())
                    .redirectError(log.toFile())
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.MINUTES) || p.exitValue() != 0) {
                List<String> lines = Files.readAllLines(log);
                why = lines.isEmpty() ? "exit " + p.exitValue() : lines.get(lines.size() - 1);
                return Optional.empty();
            }
            List<Path> paths = out.lines().map(Path::of).toList();
            return paths.size() == 2 && paths.stream().allMatch(Files::isExecutable)
                    ? Optional.of(paths)
                    : Optional.empty();
        } catch (IOException e) {
            why = e.getMessage();
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** A server process on a loopback port; closing it kills it. */
    public static final class Server implements AutoCloseable {
        private final Process process;
        private final int port;

        Server(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        public String endpoint() {
            return "http://127.0.0.1:" + port;
        }

        public int port() {
            return port;
        }

        /** Kills the server at once (SIGKILL), as a crash would. */
        public void kill() {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            kill();
        }
    }

    /** fake-gcs-server with {@code data}'s top folders as buckets (in memory: the folder is read at start). */
    public static Server fakeGcs(Path data) {
        assumeAvailable();
        int port = freePort();
        Server s = start(
                List.of(
                        binaries.get().get(0).toString(),
                        "-scheme",
                        "http",
                        "-host",
                        "127.0.0.1",
                        "-port",
                        String.valueOf(port),
                        "-public-host",
                        "127.0.0.1:" + port,
                        "-backend",
                        "memory",
                        "-data",
                        data.toAbsolutePath().toString(),
                        "-log-level",
                        "error"),
                port);
        waitHttp(s, "/storage/v1/b");
        return s;
    }

    /** gofakes3 serving {@code dir} as bucket {@code bucket} (path-style; files read at request time). */
    public static Server gofakes3(String bucket, Path dir) {
        return gofakes3(
                bucket,
                "-backend",
                "directfs",
                "-directfs.bucket",
                bucket,
                "-directfs.path",
                dir.toAbsolutePath().toString());
    }

    /**
     * gofakes3 in memory with one empty bucket, filled through its API. Unlike the directfs backend, which answers a
     * listing in one page whatever max-keys asks, it pages listings as S3 does.
     */
    public static Server gofakes3InMemory(String bucket) {
        return gofakes3(bucket, "-backend", "memory", "-initialbucket", bucket);
    }

    /** gofakes3 with the given backend arguments, once it answers a listing of {@code bucket}. */
    private static Server gofakes3(String bucket, String... backend) {
        assumeAvailable();
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(binaries.get().get(1).toString(), "-host", "127.0.0.1:" + port));
        command.addAll(List.of(backend));
        command.add("-quiet");
        Server s = start(command, port);
        waitHttp(s, "/" + bucket + "?list-type=2");
        return s;
    }

    /**
     * S3Proxy with an in-memory store that checks request signatures: only {@code identity} and {@code secret} are
     * let in. Its own JVM (its dependencies stay off the test class path).
     */
    public static Server s3proxy(String identity, String secret) {
        Path jar;
        try (Stream<Path> s = Files.list(S3PROXY_DIR)) {
            jar = s.filter(p -> p.toString().endsWith(".jar")).findFirst().orElse(null);
        } catch (IOException e) {
            jar = null;
        }
        Assumptions.assumeTrue(jar != null, "S3Proxy is not in " + S3PROXY_DIR + " (copied by the build)");
        int port = freePort();
        try {
            Path conf = Files.createTempFile("s3proxy", ".conf");
            Files.writeString(
                    conf,
                    String.join(
                            "\n",
                            "s3proxy.endpoint=http://127.0.0.1:" + port,
                            "s3proxy.authorization=aws-v2-or-v4",
                            "s3proxy.identity=" + identity,
                            "s3proxy.credential=" + secret,
                            "jclouds.provider=transient",
                            "jclouds.identity=unused",
                            "jclouds.credential=unused",
                            ""));
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Server s = start(
                    List.of(java.toString(), "-Xmx256m", "-jar", jar.toString(), "--properties", conf.toString()),
                    port);
            waitPort(s, Duration.ofSeconds(60));
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Server start(List<String> command, int port) {
        try {
            Path log = Files.createTempFile("object-store", ".log");
            Process p = new ProcessBuilder(new ArrayList<>(command))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            return new Server(p, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void waitPort(Server s, Duration max) {
        long end = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < end) {
            try (Socket socket = new Socket("127.0.0.1", s.port())) {
                return;
            } catch (IOException e) {
                sleep();
            }
        }
        s.close();
        throw new IllegalStateException("server on port " + s.port() + " did not start");
    }

    private static void waitHttp(Server s, String path) {
        HttpClient client = HttpClient.newHttpClient();
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            try {
                HttpResponse<Void> r = client.send(
                        HttpRequest.newBuilder(URI.create(s.endpoint() + path)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() < 500) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            sleep();
        }
        s.close();
        throw new IllegalStateException("server on port " + s.port() + " did not answer " + path);
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a committed test model into {@code target} (a bucket folder). */
    public static void copyModel(String model, Path target) {
        Path source = Path.of("src/test/resources/models").resolve(model);
        try (Stream<Path> s = Files.walk(source)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.createDirectories(t.getParent());
                    Files.copy(p, t);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
