package dev.explainable.serving.runtime.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import com.google.cloud.NoCredentials;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.service.LoadedModel;
import dev.explainable.serving.runtime.service.ModelLoader;
import dev.explainable.serving.runtime.testing.TestOptions;

/**
 * gs:// models from a real Cloud Storage server (fake-gcs-server, JSON API over HTTP) through Google's client: the
 * committed tabular model fetched, checked and explained; and every way a fetch fails leaving nothing half-written
 * where a loader looks.
 */
class GcsFetchTest {

    static final String INSTANCE = "[0.3, -1.2, 2.0, 0.7, -0.4]";

    @TempDir
    static Path data;

    static ObjectStoreServers.Server server;
    static Storage client;

    @BeforeAll
    static void start() throws IOException {
        ObjectStoreServers.assumeAvailable();
        Path models = data.resolve("models");
        ObjectStoreServers.copyModel("tabular_classifier", models.resolve("tabular_classifier"));
        ObjectStoreServers.copyModel("tabular_classifier", models.resolve("exports/iris/1"));
        ObjectStoreServers.copyModel("tabular_classifier", models.resolve("deletable"));
        // an upload in progress: the variables are there, saved_model.pb not yet
        ObjectStoreServers.copyModel("tabular_classifier", models.resolve("half"));
        Files.delete(models.resolve("half/saved_model.pb"));
        // a copy that lost its data shard
        ObjectStoreServers.copyModel("tabular_classifier", models.resolve("no-shard"));
        Files.delete(models.resolve("no-shard/variables/variables.data-00000-of-00001"));
        server = ObjectStoreServers.fakeGcs(data);
        client = StorageOptions.http()
                .setHost(server.endpoint())
                .setProjectId("test")
                .setCredentials(NoCredentials.getInstance())
                .build()
                .getService();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** The test server, and {@code properties}. */
    static StorageSettings settings(String... properties) {
        return TestOptions.storage(store(server.endpoint()), properties);
    }

    /** A fake server at {@code endpoint}, anonymous: 3 attempts a request, 2 minutes a fetch. */
    static Map<String, String> store(String endpoint) {
        return TestOptions.properties(
                "explain.storage.gcs.endpoint",
                endpoint,
                "explain.storage.anonymous",
                "true",
                "explain.storage.attempts",
                "3",
                "explain.storage.timeout",
                "2m");
    }

    @Test
    void fetchesTheCommittedModelAndExplainsItAsTheLocalCopy(@TempDir Path cache) throws IOException {
        Path dir = new ModelFetcher(settings()).fetch("gs://models/tabular_classifier", cache.resolve("m"));
        Path original = TestModels.dir("tabular_classifier");
        for (String f : List.of(
                "saved_model.pb",
                "explanation_metadata.json",
                "variables/variables.index",
                "variables/variables.data-00000-of-00001")) {
            assertArrayEquals(Files.readAllBytes(original.resolve(f)), Files.readAllBytes(dir.resolve(f)), f);
        }
        FetchAssertions.assertNoLeftovers(cache);
        try (LoadedModel fetched = ModelLoader.load(TestOptions.from("explain.model.dir", dir.toString()));
                LoadedModel local = ModelLoader.load(TestOptions.from("explain.model.dir", original.toString()))) {
            assertSameExplanation(local, fetched);
        }
    }

    @Test
    void aDeeperFolderAndATrailingSlashWork(@TempDir Path cache) {
        Path dir = new ModelFetcher(settings()).fetch("gs://models/exports/iris/1/", cache.resolve("m"));
        assertTrue(Files.isRegularFile(dir.resolve("saved_model.pb")));
    }

    @Test
    void aMissingFolderOrBucketIsNotFound(@TempDir Path cache) {
        StorageException e = fails("gs://models/no-such-model", cache);
        assertEquals(StorageException.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("no objects under gs://models/no-such-model/"), e.getMessage());
        assertEquals(
                StorageException.Kind.NOT_FOUND,
                fails("gs://no-such-bucket/m", cache).kind());
        // a folder's name prefix is not the folder
        assertEquals(
                StorageException.Kind.NOT_FOUND,
                fails("gs://models/tabular", cache).kind());
    }

    @Test
    void aFolderWithoutSavedModelIsRefusedBeforeAnyDownload(@TempDir Path cache) {
        StorageException e = fails("gs://models/half", cache);
        assertEquals(StorageException.Kind.BAD_LAYOUT, e.kind());
        assertTrue(e.getMessage().contains("no saved_model.pb"), e.getMessage());
        StorageException nested = fails("gs://models/exports", cache);
        assertTrue(nested.getMessage().contains("iris/1/"), nested.getMessage());
    }

    @Test
    void aFolderMissingAVariableShardIsIncomplete(@TempDir Path cache) {
        StorageException e = fails("gs://models/no-shard", cache);
        assertEquals(StorageException.Kind.BAD_LAYOUT, e.kind());
        assertTrue(e.getMessage().contains("incomplete SavedModel"), e.getMessage());
    }

    @Test
    void objectNamesThatLeaveTheFolderAreRefused(@TempDir Path cache) {
        byte[] pb = "x".getBytes(StandardCharsets.UTF_8);
        client.create(BlobInfo.newBuilder("models", "evil/saved_model.pb").build(), pb);
        client.create(BlobInfo.newBuilder("models", "evil/../../escape").build(), pb);
        StorageException e = fails("gs://models/evil", cache);
        assertEquals(StorageException.Kind.UNSAFE_NAME, e.kind());
        assertTrue(e.getMessage().contains("'..'"), e.getMessage());
        assertFalse(Files.exists(cache.getParent().resolve("escape")));
        client.create(BlobInfo.newBuilder("models", "abs/saved_model.pb").build(), pb);
        client.create(BlobInfo.newBuilder("models", "abs//etc/passwd").build(), pb);
        assertEquals(
                StorageException.Kind.UNSAFE_NAME,
                fails("gs://models/abs", cache).kind());
    }

    @Test
    void theLimitsRefuseAndNameTheirSetting(@TempDir Path cache) {
        StorageException objects = assertThrows(
                StorageException.class,
                () -> new ModelFetcher(settings("explain.storage.max-objects", "3"))
                        .fetch("gs://models/tabular_classifier", cache.resolve("m")));
        assertEquals(StorageException.Kind.LIMIT_EXCEEDED, objects.kind());
        assertTrue(objects.getMessage().contains("explain.storage.max-objects (3)"), objects.getMessage());
        StorageException bytes = assertThrows(
                StorageException.class,
                () -> new ModelFetcher(
                                settings("explain.storage.max-bytes", "1000", "explain.storage.max-objects", "100"))
                        .fetch("gs://models/tabular_classifier", cache.resolve("m")));
        assertTrue(bytes.getMessage().contains("explain.storage.max-bytes (1000)"), bytes.getMessage());
        assertFalse(Files.exists(cache.resolve("m")));
        FetchAssertions.assertNoLeftovers(cache);
    }

    @Test
    void aDownloadBrokenOffHalfWayNeverReplacesTheCompleteCopy(@TempDir Path cache) throws IOException {
        Path dest = cache.resolve("m");
        new ModelFetcher(settings()).fetch("gs://models/deletable", dest);
        byte[] before = Files.readAllBytes(dest.resolve("saved_model.pb"));
        // the second fetch: after its first object, the rest of the folder is deleted on the server
        ModelFetcher.Listener deleteTheRest = new ModelFetcher.Listener() {
            boolean deleted;

            @Override
            public void downloaded(StoredObject object) {
                if (!deleted) {
                    deleted = true;
                    for (var b : client.list("models", Storage.BlobListOption.prefix("deletable/"))
                            .iterateAll()) {
                        if (!b.getName().equals(object.name())) {
                            client.delete(BlobId.of("models", b.getName()));
                        }
                    }
                }
            }
        };
        StorageException e = assertThrows(
                StorageException.class,
                () -> new ModelFetcher(settings(), deleteTheRest).fetch("gs://models/deletable", dest));
        assertEquals(StorageException.Kind.NOT_FOUND, e.kind(), e.getMessage());
        // the complete first copy is still there, whole; the partial one is gone
        assertArrayEquals(before, Files.readAllBytes(dest.resolve("saved_model.pb")));
        ModelLayout.check(dest, "test");
        FetchAssertions.assertNoLeftovers(cache);
    }

    @Test
    void aServerDyingMidDownloadIsRetriedThenFailsLeavingNothing(@TempDir Path dataDir, @TempDir Path cache) {
        ObjectStoreServers.copyModel("tabular_classifier", dataDir.resolve("bkt/m"));
        try (ObjectStoreServers.Server dying = ObjectStoreServers.fakeGcs(dataDir)) {
            StorageSettings s = TestOptions.storage(
                    store(dying.endpoint()), "explain.storage.attempts", "2", "explain.storage.timeout", "1m");
            ModelFetcher.Listener kill = new ModelFetcher.Listener() {
                @Override
                public void downloaded(StoredObject object) {
                    dying.kill();
                }
            };
            StorageException e = assertThrows(
                    StorageException.class, () -> new ModelFetcher(s, kill).fetch("gs://bkt/m", cache.resolve("m")));
            assertEquals(StorageException.Kind.UNAVAILABLE, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("gave up after 2 attempts (explain.storage.attempts)"), e.getMessage());
            assertFalse(Files.exists(cache.resolve("m")));
            FetchAssertions.assertNoLeftovers(cache);
        }
    }

    @Test
    void aBucketTopPastMaxObjectsIsRefusedOnePageLaterWithoutListingTheRest(@TempDir Path dataDir, @TempDir Path cache)
            throws IOException {
        // 2,500 objects, listed from the bucket's top in pages of 1,000; max-objects 1,000
        writeObjects(dataDir.resolve("crowded"), CROWD);
        try (ObjectStoreServers.Server crowded = ObjectStoreServers.fakeGcs(dataDir);
                StoreProxy proxy = new StoreProxy(crowded.endpoint())) {
            Map<String, String> s = store(proxy.endpoint());
            StorageException e = assertThrows(
                    StorageException.class,
                    () -> new ModelFetcher(TestOptions.storage(s, "explain.storage.max-objects", "1000"), NOT_LISTED)
                            .fetch("gs://crowded", cache.resolve("m")));
            assertEquals(StorageException.Kind.LIMIT_EXCEEDED, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("more than explain.storage.max-objects (1000)"), e.getMessage());
            assertTrue(e.getMessage().contains("point the model URI at the model's own folder"), e.getMessage());
            // the second page held the 1,001st object: the listing stopped there, page 3 was never asked
            // for, nothing was downloaded
            assertEquals(2, proxy.requests().size(), proxy.requests().toString());
            assertEquals(2, proxy.count(r -> r.startsWith("GET /storage/v1/b/crowded/o?")));
            assertTrue(proxy.requests().stream().allMatch(r -> r.contains("maxResults=" + ObjectStore.PAGE_SIZE)));
            // under a limit above its size, the same listing takes all three pages (and finds no SavedModel)
            StorageException whole = assertThrows(
                    StorageException.class,
                    () -> new ModelFetcher(TestOptions.storage(s, "explain.storage.max-objects", "10000"))
                            .fetch("gs://crowded", cache.resolve("m")));
            assertEquals(StorageException.Kind.BAD_LAYOUT, whole.kind(), whole.getMessage());
            assertEquals(2 + 3, proxy.requests().size(), proxy.requests().toString());
            FetchAssertions.assertNoLeftovers(cache);
        }
    }

    @Test
    void aStalledDownloadIsGivenUpAfterTheRequestTimeoutOnEachAttempt(@TempDir Path cache) {
        try (StoreProxy proxy = new StoreProxy(server.endpoint())) {
            Predicate<String> savedModel = r -> r.contains("alt=media") && r.contains("saved_model.pb");
            // the object's headers and its first 1,000 bytes, then nothing on an open connection
            proxy.stall(savedModel, 1000);
            StorageSettings s = TestOptions.storage(
                    store(proxy.endpoint()),
                    "explain.storage.attempts",
                    "2",
                    "explain.storage.request-timeout",
                    STALL.toString());
            assertStalled(
                    proxy,
                    () -> new ModelFetcher(s).fetch("gs://models/tabular_classifier", cache.resolve("m")),
                    cache);
            // one request per attempt: the client no longer reopens the download by itself
            assertEquals(2, proxy.count(savedModel), proxy.requests().toString());
        }
    }

    @Test
    void withoutCredentialsNothingFallsBackToAnonymous(@TempDir Path cache) {
        // the tests' environment has no GOOGLE_APPLICATION_CREDENTIALS and NO_GCE_CHECK=true (no metadata server)
        StorageException e = assertThrows(
                StorageException.class,
                () -> new ModelFetcher(settings("explain.storage.anonymous", "false"))
                        .fetch("gs://models/tabular_classifier", cache.resolve("m")));
        assertEquals(StorageException.Kind.NO_CREDENTIALS, e.kind());
        assertTrue(e.getMessage().contains("GOOGLE_APPLICATION_CREDENTIALS"), e.getMessage());
    }

    /** The same attributions, to the last bit, from the fetched copy and the committed folder. */
    static void assertSameExplanation(LoadedModel local, LoadedModel fetched) {
        var expected = TestModels.explain(local, INSTANCE);
        var actual = TestModels.explain(fetched, INSTANCE);
        assertEquals(expected.exampleScore(), actual.exampleScore());
        assertEquals(expected.attributions().keySet(), actual.attributions().keySet());
        for (String input : expected.attributions().keySet()) {
            assertArrayEquals(
                    TestModels.flat(expected.attributions().get(input)),
                    TestModels.flat(actual.attributions().get(input)),
                    input);
        }
    }

    /** The request timeout of the stall tests, and their two attempts. */
    static final Duration STALL = Duration.ofSeconds(2);

    static final int CROWD = 2_500;

    /** A fetch that must be refused before the listing is handed on. */
    static final ModelFetcher.Listener NOT_LISTED = new ModelFetcher.Listener() {
        @Override
        public void listed(List<StoredObject> objects) {
            throw new AssertionError("listed " + objects.size() + " objects");
        }
    };

    /** {@code count} small objects in a bucket folder. */
    static void writeObjects(Path folder, int count) throws IOException {
        Files.createDirectories(folder);
        for (int i = 0; i < count; i++) {
            Files.writeString(folder.resolve(String.format("part-%05d", i)), "x");
        }
    }

    /**
     * The fetch fails as a stall, within two request timeouts (two attempts) of the first stall, plus the backoff
     * between them (at most 0.5 s) and some slack, and not before; its message names no local path.
     */
    static StorageException assertStalled(StoreProxy proxy, Executable fetch, Path cache) {
        StorageException e = assertThrows(StorageException.class, fetch);
        long tookMs = (System.nanoTime() - proxy.firstStallNanos()) / 1_000_000;
        assertEquals(StorageException.Kind.UNAVAILABLE, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("gave up after 2 attempts (explain.storage.attempts)"), e.getMessage());
        assertTrue(
                e.getMessage().contains("the download stalled: no bytes for 2 s (explain.storage.request-timeout)"),
                e.getMessage());
        assertFalse(e.getMessage().contains(cache.toString()), e.getMessage());
        long timeouts = 2 * STALL.toMillis();
        assertTrue(tookMs >= timeouts - 250 && tookMs <= timeouts + 500 + 1500, "gave up after " + tookMs + " ms");
        assertFalse(Files.exists(cache.resolve("m")));
        FetchAssertions.assertNoLeftovers(cache);
        assertReadersEnd();
        return e;
    }

    /** The abandoned downloads' reader threads end within a request timeout: none is left reading. */
    static void assertReadersEnd() {
        long end = System.nanoTime() + STALL.plusSeconds(1).toNanos();
        List<String> reading;
        do {
            reading = Thread.getAllStackTraces().entrySet().stream()
                    .filter(t -> t.getKey().getName().equals("model-fetch-reader"))
                    .filter(t -> Stream.of(t.getValue())
                            .noneMatch(f -> f.getMethodName().equals("getTask")))
                    .map(t -> t.getKey().getState() + " " + List.of(t.getValue()))
                    .toList();
        } while (!reading.isEmpty() && System.nanoTime() < end && sleep());
        assertEquals(List.of(), reading, "reader threads still reading");
    }

    private static boolean sleep() {
        try {
            Thread.sleep(100);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static StorageException fails(String uri, Path cache) {
        return FetchAssertions.fails(settings(), uri, cache);
    }
}
