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
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.cloud.NoCredentials;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.config.RuntimeOptions;
import dev.explainable.serving.runtime.service.LoadedModel;
import dev.explainable.serving.runtime.service.ModelLoader;

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

    static StorageSettings settings() {
        return StorageSettings.defaults()
                .withGcsEndpoint(server.endpoint())
                .withAnonymous(true)
                .withRetries(3, Duration.ofMinutes(2));
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
        assertNoLeftovers(cache);
        try (LoadedModel fetched = ModelLoader.load(RuntimeOptions.defaults(dir.toString()));
                LoadedModel local = ModelLoader.load(RuntimeOptions.defaults(original.toString()))) {
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
                () -> new ModelFetcher(settings().withLimits(1L << 30, 3))
                        .fetch("gs://models/tabular_classifier", cache.resolve("m")));
        assertEquals(StorageException.Kind.LIMIT_EXCEEDED, objects.kind());
        assertTrue(objects.getMessage().contains("explain.storage.max-objects (3)"), objects.getMessage());
        StorageException bytes = assertThrows(
                StorageException.class,
                () -> new ModelFetcher(settings().withLimits(1000, 100))
                        .fetch("gs://models/tabular_classifier", cache.resolve("m")));
        assertTrue(bytes.getMessage().contains("explain.storage.max-bytes (1000)"), bytes.getMessage());
        assertFalse(Files.exists(cache.resolve("m")));
        assertNoLeftovers(cache);
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
        assertNoLeftovers(cache);
    }

    @Test
    void aServerDyingMidDownloadIsRetriedThenFailsLeavingNothing(@TempDir Path dataDir, @TempDir Path cache) {
        ObjectStoreServers.copyModel("tabular_classifier", dataDir.resolve("bkt/m"));
        try (ObjectStoreServers.Server dying = ObjectStoreServers.fakeGcs(dataDir)) {
            StorageSettings s = settings().withGcsEndpoint(dying.endpoint()).withRetries(2, Duration.ofMinutes(1));
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
            assertNoLeftovers(cache);
        }
    }

    @Test
    void withoutCredentialsNothingFallsBackToAnonymous(@TempDir Path cache) {
        // the tests' environment has no GOOGLE_APPLICATION_CREDENTIALS and NO_GCE_CHECK=true (no metadata server)
        StorageException e = assertThrows(
                StorageException.class,
                () -> new ModelFetcher(settings().withAnonymous(false))
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

    private static StorageException fails(String uri, Path cache) {
        StorageException e =
                assertThrows(StorageException.class, () -> new ModelFetcher(settings()).fetch(uri, cache.resolve("m")));
        assertFalse(Files.exists(cache.resolve("m")), "nothing at the destination");
        assertNoLeftovers(cache);
        return e;
    }

    static void assertNoLeftovers(Path cache) {
        try (Stream<Path> s = Files.list(cache)) {
            List<Path> left =
                    s.filter(p -> p.getFileName().toString().startsWith(".")).toList();
            assertEquals(List.of(), left, "no partial or old copies left");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
