package dev.explainable.serving.runtime.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import dev.explainable.serving.runtime.testing.TestOptions;

/**
 * http(s):// model archives, as busybox wget and tar fetched them before, from a real HTTP server (the JDK's): a
 * tar.gz of the committed model (flat or in one folder), not found, server errors retried with backoff, and archives
 * that would write outside the model folder or hold links.
 */
class HttpArchiveTest {

    static HttpServer server;
    static final Map<String, byte[]> FILES = new ConcurrentHashMap<>();
    static final AtomicInteger FAILURES_LEFT = new AtomicInteger();
    static final AtomicInteger STALLS = new AtomicInteger();
    static final CountDownLatch STOPPED = new CountDownLatch(1);

    @BeforeAll
    static void start() throws IOException {
        Path model = Path.of("src/test/resources/models/tabular_classifier");
        FILES.put("/flat.tar.gz", tar(model, "", true, null));
        FILES.put("/nested.tgz", tar(model, "iris/", true, null));
        FILES.put("/plain.tar", tar(model, "./", false, null));
        FILES.put("/traversal.tar.gz", tar(model, "", true, entry("../../escape", TarArchiveEntry.LF_NORMAL)));
        FILES.put("/link.tar.gz", tar(model, "", true, entry("variables/link", TarArchiveEntry.LF_SYMLINK)));
        FILES.put("/not-a-model.tar.gz", tar(model.resolve("variables"), "", true, null));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body = FILES.get(path.replace("/flaky", "").replace("/stalled", ""));
            if (path.startsWith("/flaky") && FAILURES_LEFT.getAndDecrement() > 0) {
                exchange.sendResponseHeaders(503, -1);
            } else if (path.startsWith("/stalled") && body != null) {
                // the headers and the archive's first 2,000 bytes, then nothing on an open connection
                STALLS.incrementAndGet();
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body, 0, 2000);
                exchange.getResponseBody().flush();
                try {
                    STOPPED.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        // a stalled answer holds its thread
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    @AfterAll
    static void stop() {
        STOPPED.countDown();
        server.stop(0);
    }

    static String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** 3 attempts a request, a minute a fetch, and {@code properties}. */
    static StorageSettings settings(String... properties) {
        return TestOptions.storage(
                Map.of("explain.storage.attempts", "3", "explain.storage.timeout", "1m"), properties);
    }

    @Test
    void flatNestedAndUncompressedArchivesUnpackToTheModel(@TempDir Path cache) {
        for (String name : new String[] {"/flat.tar.gz", "/nested.tgz", "/plain.tar"}) {
            Path dir = new ModelFetcher(settings()).fetch(url(name), cache.resolve("m"));
            assertTrue(Files.isRegularFile(dir.resolve("saved_model.pb")), name);
            assertTrue(Files.isRegularFile(dir.resolve("variables/variables.index")), name);
            FetchAssertions.assertNoLeftovers(cache);
        }
    }

    @Test
    void notFoundIsNotFound(@TempDir Path cache) {
        assertEquals(
                StorageException.Kind.NOT_FOUND,
                fails(url("/missing.tar.gz"), cache).kind());
    }

    @Test
    void serverErrorsAreRetriedWithBackoff(@TempDir Path cache) {
        FAILURES_LEFT.set(2);
        Path dir = new ModelFetcher(settings()).fetch(url("/flaky/flat.tar.gz"), cache.resolve("retried"));
        assertTrue(Files.isRegularFile(dir.resolve("saved_model.pb")));
        FAILURES_LEFT.set(5);
        StorageException e = fails(url("/flaky/flat.tar.gz"), cache);
        assertEquals(StorageException.Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("gave up after 3 attempts"), e.getMessage());
    }

    @Test
    void aStalledDownloadIsGivenUpAfterTheRequestTimeoutOnEachAttempt(@TempDir Path cache) {
        StorageSettings s = settings("explain.storage.attempts", "2", "explain.storage.request-timeout", "2s");
        int stallsBefore = STALLS.get();
        long start = System.nanoTime();
        StorageException e = assertThrows(
                StorageException.class, () -> new ModelFetcher(s).fetch(url("/stalled/plain.tar"), cache.resolve("m")));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(StorageException.Kind.UNAVAILABLE, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("gave up after 2 attempts (explain.storage.attempts)"), e.getMessage());
        assertTrue(
                e.getMessage().contains("the download stalled: no bytes for 2 s (explain.storage.request-timeout)"),
                e.getMessage());
        // two request timeouts, the backoff between them (at most 0.5 s), slack
        assertTrue(tookMs >= 4000 - 250 && tookMs <= 4000 + 500 + 1500, "gave up after " + tookMs + " ms");
        assertEquals(2, STALLS.get() - stallsBefore);
        GcsFetchTest.assertReadersEnd();
        assertFalse(Files.exists(cache.resolve("m")));
        FetchAssertions.assertNoLeftovers(cache);
    }

    @Test
    void aStallPastTheFetchDeadlineEndsAtTheDeadline(@TempDir Path cache) {
        StorageSettings s = settings("explain.storage.timeout", "3s", "explain.storage.request-timeout", "30s");
        long start = System.nanoTime();
        StorageException e = assertThrows(
                StorageException.class, () -> new ModelFetcher(s).fetch(url("/stalled/plain.tar"), cache.resolve("m")));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(StorageException.Kind.LIMIT_EXCEEDED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("explain.storage.timeout (PT3S)"), e.getMessage());
        assertTrue(tookMs >= 3000 - 250 && tookMs <= 3000 + 1500, "gave up after " + tookMs + " ms");
        assertFalse(Files.exists(cache.resolve("m")));
        FetchAssertions.assertNoLeftovers(cache);
    }

    @Test
    void entriesOutsideTheFolderAndLinksAreRefused(@TempDir Path cache) {
        StorageException traversal = fails(url("/traversal.tar.gz"), cache);
        assertEquals(StorageException.Kind.UNSAFE_NAME, traversal.kind());
        assertFalse(Files.exists(cache.getParent().resolve("escape")));
        StorageException link = fails(url("/link.tar.gz"), cache);
        assertEquals(StorageException.Kind.UNSAFE_NAME, link.kind());
        assertTrue(link.getMessage().contains("link"), link.getMessage());
    }

    @Test
    void anArchiveWithoutSavedModelIsRefused(@TempDir Path cache) {
        assertEquals(
                StorageException.Kind.BAD_LAYOUT,
                fails(url("/not-a-model.tar.gz"), cache).kind());
    }

    @Test
    void theByteAndEntryLimitsHold(@TempDir Path cache) {
        StorageException bytes = assertThrows(
                StorageException.class,
                () -> new ModelFetcher(
                                settings("explain.storage.max-bytes", "1000", "explain.storage.max-objects", "100"))
                        .fetch(url("/flat.tar.gz"), cache.resolve("m")));
        assertTrue(bytes.getMessage().contains("explain.storage.max-bytes"), bytes.getMessage());
        StorageException entries = assertThrows(
                StorageException.class,
                () -> new ModelFetcher(settings("explain.storage.max-objects", "2"))
                        .fetch(url("/flat.tar.gz"), cache.resolve("m")));
        assertTrue(entries.getMessage().contains("explain.storage.max-objects"), entries.getMessage());
        assertFalse(Files.exists(cache.resolve("m")));
        FetchAssertions.assertNoLeftovers(cache);
    }

    private static StorageException fails(String uri, Path cache) {
        return FetchAssertions.fails(settings(), uri, cache);
    }

    private static TarArchiveEntry entry(String name, byte type) {
        TarArchiveEntry e = new TarArchiveEntry(name, type);
        if (type == TarArchiveEntry.LF_SYMLINK) {
            e.setLinkName("/etc/passwd");
        }
        return e;
    }

    /** The folder's files under {@code prefix}, and one extra entry (with a byte of content for a file). */
    static byte[] tar(Path dir, String prefix, boolean gzip, TarArchiveEntry extra) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream z = gzip ? new GzipCompressorOutputStream(bytes) : bytes;
                TarArchiveOutputStream tar = new TarArchiveOutputStream(z)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f :
                        (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                    TarArchiveEntry e = new TarArchiveEntry(
                            prefix + dir.relativize(f).toString().replace('\\', '/'));
                    e.setSize(Files.size(f));
                    tar.putArchiveEntry(e);
                    Files.copy(f, tar);
                    tar.closeArchiveEntry();
                }
            }
            if (extra != null) {
                byte[] content = extra.isFile() ? "x".getBytes(StandardCharsets.UTF_8) : new byte[0];
                extra.setSize(content.length);
                tar.putArchiveEntry(extra);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }
}
