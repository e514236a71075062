package dev.explainable.serving.runtime.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.explainable.serving.runtime.testing.TestOptions;

/**
 * {@link ObjectFiles#open(String, long)}, the batch entry's ranged reads, against the real fake-gcs-server and
 * gofakes3 and on local files: the bytes from the offset on, listed or not; and through a proxy that counts what the
 * store sends, only those bytes cross the wire.
 */
class ObjectFilesRangeTest {

    static final int SIZE = 3 * 1024 * 1024 + 17;

    @TempDir
    static Path data;

    static byte[] bytes;
    static ObjectStoreServers.Server gcs;
    static ObjectStoreServers.Server s3;

    @BeforeAll
    static void start() throws IOException {
        ObjectStoreServers.assumeAvailable();
        bytes = new byte[SIZE];
        new Random(4).nextBytes(bytes);
        for (String root : List.of("gcs/ranges", "s3", "local")) {
            Files.createDirectories(data.resolve(root));
            Files.write(data.resolve(root).resolve("data.bin"), bytes);
        }
        gcs = ObjectStoreServers.fakeGcs(data.resolve("gcs"));
        s3 = ObjectStoreServers.gofakes3("ranges", data.resolve("s3"));
        AwsKeys.use("test-key", "test-secret");
    }

    @AfterAll
    static void stop() {
        AwsKeys.clear();
        if (gcs != null) {
            gcs.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    static StorageSettings gcsSettings(String endpoint) {
        return TestOptions.storage(TestOptions.properties(
                "explain.storage.gcs.endpoint", endpoint,
                "explain.storage.anonymous", "true",
                "explain.storage.attempts", "2"));
    }

    static StorageSettings s3Settings(String endpoint) {
        return TestOptions.storage(TestOptions.properties(
                "explain.storage.s3.endpoint", endpoint,
                "explain.storage.s3.path-style", "true",
                "explain.storage.s3.region", "eu-west-1",
                "explain.storage.attempts", "2"));
    }

    static byte[] read(ObjectFiles files, String location, long from) throws IOException {
        try (InputStream in = files.open(location, from)) {
            return in.readAllBytes();
        }
    }

    @Test
    void aRangedOpenGivesTheBytesFromTheOffsetToTheEndOnEveryStore() throws IOException {
        Map<String, StorageSettings> stores = Map.of(
                "gs://ranges/data.bin",
                gcsSettings(gcs.endpoint()),
                "s3://ranges/data.bin",
                s3Settings(s3.endpoint()),
                data.resolve("local/data.bin").toString(),
                gcsSettings(gcs.endpoint()));
        for (var e : stores.entrySet()) {
            String location = e.getKey();
            for (boolean listed : new boolean[] {true, false}) {
                try (ObjectFiles files = new ObjectFiles(e.getValue())) {
                    if (listed) {
                        assertEquals(List.of(new ObjectFiles.Input(location, SIZE)), files.expand(location));
                    }
                    long expectedRead = 0;
                    for (long from : new long[] {0, 1, 65_535, 2_000_000, SIZE - 1}) {
                        assertArrayEquals(
                                Arrays.copyOfRange(bytes, (int) from, SIZE),
                                read(files, location, from),
                                location + " from " + from + (listed ? ", listed" : ""));
                        expectedRead += SIZE - from;
                    }
                    assertEquals(expectedRead, files.bytesRead(), location);
                }
            }
        }
    }

    @Test
    void aRangedReadAsksTheStoreForThoseBytesOnly() throws IOException {
        for (String scheme : List.of("gs", "s3")) {
            ObjectStoreServers.Server server = scheme.equals("gs") ? gcs : s3;
            try (StoreProxy proxy = new StoreProxy(server.endpoint());
                    ObjectFiles files = new ObjectFiles(
                            scheme.equals("gs") ? gcsSettings(proxy.endpoint()) : s3Settings(proxy.endpoint()))) {
                String location = scheme + "://ranges/data.bin";
                files.expand(location);
                long before = proxy.bodyBytes();
                assertArrayEquals(
                        Arrays.copyOfRange(bytes, SIZE - 1000, SIZE), read(files, location, SIZE - 1000), location);
                long ranged = proxy.bodyBytes() - before;
                assertTrue(ranged >= 1000 && ranged < 16 * 1024, location + ": the store sent " + ranged + " bytes");

                before = proxy.bodyBytes();
                assertEquals(SIZE, read(files, location, 0).length);
                long whole = proxy.bodyBytes() - before;
                assertTrue(whole >= SIZE, location + ": the store sent " + whole + " bytes of the whole object");
            }
        }
    }
}
