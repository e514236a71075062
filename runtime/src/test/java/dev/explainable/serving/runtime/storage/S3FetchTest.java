package dev.explainable.serving.runtime.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.service.LoadedModel;
import dev.explainable.serving.runtime.service.ModelLoader;
import dev.explainable.serving.runtime.testing.TestOptions;

import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * s3:// models from a real S3 server (gofakes3, a folder served as a bucket, path-style) through the AWS SDK v2, with
 * keys from the SDK's default credential chain (here its system-property provider; in a pod environment keys from
 * a Secret, IRSA or Pod Identity).
 */
class S3FetchTest {

    @TempDir
    static Path bucket;

    static ObjectStoreServers.Server server;

    @BeforeAll
    static void start() throws IOException {
        ObjectStoreServers.assumeAvailable();
        ObjectStoreServers.copyModel("tabular_classifier", bucket.resolve("models/iris/1"));
        ObjectStoreServers.copyModel("tabular_classifier", bucket.resolve("half"));
        Files.delete(bucket.resolve("half/saved_model.pb"));
        server = ObjectStoreServers.gofakes3("model-bucket", bucket);
        AwsKeys.use("test-key", "test-secret");
    }

    @AfterAll
    static void stop() {
        AwsKeys.clear();
        if (server != null) {
            server.close();
        }
    }

    static StorageSettings settings() {
        return TestOptions.storage(store(server.endpoint()));
    }

    /** A gofakes3 server at {@code endpoint}, path-style in eu-west-1: 3 attempts a request, 2 minutes a fetch. */
    static Map<String, String> store(String endpoint) {
        return TestOptions.properties(
                "explain.storage.s3.endpoint",
                endpoint,
                "explain.storage.s3.path-style",
                "true",
                "explain.storage.s3.region",
                "eu-west-1",
                "explain.storage.attempts",
                "3",
                "explain.storage.timeout",
                "2m");
    }

    @Test
    void fetchesTheCommittedModelAndExplainsItAsTheLocalCopy(@TempDir Path cache) {
        Path dir = new ModelFetcher(settings()).fetch("s3://model-bucket/models/iris/1", cache.resolve("m"));
        ModelLayout.check(dir, "test");
        FetchAssertions.assertNoLeftovers(cache);
        try (LoadedModel fetched = ModelLoader.load(TestOptions.from("explain.model.dir", dir.toString()));
                LoadedModel local = ModelLoader.load(TestOptions.from(
                        "explain.model.dir",
                        TestModels.dir("tabular_classifier").toString()))) {
            GcsFetchTest.assertSameExplanation(local, fetched);
        }
    }

    @Test
    void aMissingFolderOrBucketIsNotFound(@TempDir Path cache) {
        StorageException folder = fails("s3://model-bucket/models/iris/2", cache);
        assertEquals(StorageException.Kind.NOT_FOUND, folder.kind(), folder.getMessage());
        StorageException noBucket = fails("s3://other-bucket/models/iris/1", cache);
        assertEquals(StorageException.Kind.NOT_FOUND, noBucket.kind(), noBucket.getMessage());
        assertTrue(noBucket.getMessage().contains("NoSuchBucket"), noBucket.getMessage());
    }

    @Test
    void aHalfUploadedFolderIsRefused(@TempDir Path cache) {
        StorageException e = fails("s3://model-bucket/half", cache);
        assertEquals(StorageException.Kind.BAD_LAYOUT, e.kind());
        assertTrue(e.getMessage().contains("no saved_model.pb"), e.getMessage());
    }

    @Test
    void anObjectChangedAfterTheListingIsNeverLoaded(@TempDir Path cache) throws IOException {
        Path dest = cache.resolve("m");
        Path shard = bucket.resolve("models/iris/1/variables/variables.data-00000-of-00001");
        byte[] original = Files.readAllBytes(shard);
        ModelFetcher.Listener rewrite = new ModelFetcher.Listener() {
            @Override
            public void listed(java.util.List<StoredObject> objects) {
                try {
                    // same size, other bytes: an upload overwriting the model while it is fetched
                    byte[] changed = original.clone();
                    changed[changed.length / 2] ^= 0x5a;
                    Files.write(shard, changed);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        try {
            StorageException e = assertThrows(
                    StorageException.class,
                    () -> new ModelFetcher(settings(), rewrite).fetch("s3://model-bucket/models/iris/1", dest));
            assertTrue(
                    e.kind() == StorageException.Kind.FAILED || e.kind() == StorageException.Kind.CHECKSUM_MISMATCH,
                    e.getMessage());
            assertFalse(Files.exists(dest));
            FetchAssertions.assertNoLeftovers(cache);
        } finally {
            Files.write(shard, original);
        }
    }

    @Test
    void aBucketTopPastMaxObjectsIsRefusedOnePageLaterWithoutListingTheRest(@TempDir Path cache) {
        try (ObjectStoreServers.Server crowded = ObjectStoreServers.gofakes3InMemory("crowded");
                StoreProxy proxy = new StoreProxy(crowded.endpoint())) {
            // 2,500 objects, listed from the bucket's top in pages of 1,000; max-objects 1,000
            try (S3Client s3 = S3Client.builder()
                    .endpointOverride(URI.create(crowded.endpoint()))
                    .forcePathStyle(true)
                    .region(Region.EU_WEST_1)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .build()) {
                for (int i = 0; i < GcsFetchTest.CROWD; i++) {
                    String key = String.format("part-%05d", i);
                    s3.putObject(b -> b.bucket("crowded").key(key), RequestBody.fromString("x"));
                }
            }
            Map<String, String> s = store(proxy.endpoint());
            StorageException e = assertThrows(
                    StorageException.class,
                    () -> new ModelFetcher(
                                    TestOptions.storage(s, "explain.storage.max-objects", "1000"),
                                    GcsFetchTest.NOT_LISTED)
                            .fetch("s3://crowded", cache.resolve("m")));
            assertEquals(StorageException.Kind.LIMIT_EXCEEDED, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("more than explain.storage.max-objects (1000)"), e.getMessage());
            assertTrue(e.getMessage().contains("point the model URI at the model's own folder"), e.getMessage());
            // the second page held the 1,001st object: the listing stopped there, page 3 was never asked for,
            // nothing was downloaded
            assertEquals(2, proxy.requests().size(), proxy.requests().toString());
            assertTrue(proxy.requests().stream()
                    .allMatch(r -> r.startsWith("GET /crowded?") && r.contains("max-keys=" + ObjectStore.PAGE_SIZE)));
            // under a limit above its size, the same listing takes all three pages (and finds no SavedModel)
            StorageException whole = assertThrows(
                    StorageException.class,
                    () -> new ModelFetcher(TestOptions.storage(s, "explain.storage.max-objects", "10000"))
                            .fetch("s3://crowded", cache.resolve("m")));
            assertEquals(StorageException.Kind.BAD_LAYOUT, whole.kind(), whole.getMessage());
            assertEquals(2 + 3, proxy.requests().size(), proxy.requests().toString());
            FetchAssertions.assertNoLeftovers(cache);
        }
    }

    @Test
    void aStalledDownloadIsGivenUpAfterTheRequestTimeoutOnEachAttempt(@TempDir Path cache) {
        try (StoreProxy proxy = new StoreProxy(server.endpoint())) {
            Predicate<String> savedModel = r -> r.equals("GET /model-bucket/models/iris/1/saved_model.pb");
            // the object's headers and its first 1,000 bytes, then nothing on an open connection
            proxy.stall(savedModel, 1000);
            StorageSettings s = TestOptions.storage(
                    store(proxy.endpoint()),
                    "explain.storage.attempts",
                    "2",
                    "explain.storage.request-timeout",
                    GcsFetchTest.STALL.toString());
            StorageException e = GcsFetchTest.assertStalled(
                    proxy,
                    () -> new ModelFetcher(s).fetch("s3://model-bucket/models/iris/1", cache.resolve("m")),
                    cache);
            assertFalse(e.getMessage().contains("test-secret"), e.getMessage());
            assertEquals(2, proxy.count(savedModel), proxy.requests().toString());
        }
    }

    @Test
    void withoutCredentialsNothingFallsBackToAnonymous(@TempDir Path cache) {
        System.clearProperty("aws.accessKeyId");
        try {
            StorageException e = fails("s3://model-bucket/models/iris/1", cache);
            assertEquals(StorageException.Kind.NO_CREDENTIALS, e.kind(), e.getMessage());
        } finally {
            System.setProperty("aws.accessKeyId", "test-key");
        }
    }

    private static StorageException fails(String uri, Path cache) {
        return FetchAssertions.fails(settings(), uri, cache);
    }
}
