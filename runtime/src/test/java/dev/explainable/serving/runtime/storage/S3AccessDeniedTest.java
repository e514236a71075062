package dev.explainable.serving.runtime.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.explainable.serving.runtime.testing.TestOptions;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Access denied on a real S3 server that checks signatures (S3Proxy, in-memory): the right keys fetch the model, a
 * wrong secret is "access denied" with the permissions to check, never retried and never anonymous.
 */
class S3AccessDeniedTest {

    static ObjectStoreServers.Server server;

    @BeforeAll
    static void start() throws IOException {
        server = ObjectStoreServers.s3proxy("reader", "reader-secret");
        try (S3Client s3 = S3Client.builder()
                .endpointOverride(URI.create(server.endpoint()))
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                // S3Proxy does not know the SDK's default streaming checksums on uploads
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("reader", "reader-secret")))
                .build()) {
            s3.createBucket(b -> b.bucket("private-models"));
            Path model = Path.of("src/test/resources/models/tabular_classifier");
            try (Stream<Path> files = Files.walk(model)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    String key = "iris/" + model.relativize(f).toString().replace('\\', '/');
                    s3.putObject(b -> b.bucket("private-models").key(key), RequestBody.fromFile(f));
                }
            }
        }
    }

    @AfterAll
    static void stop() {
        AwsKeys.clear();
        if (server != null) {
            server.close();
        }
    }

    static StorageSettings settings() {
        return TestOptions.storage(S3FetchTest.store(server.endpoint()), "explain.storage.s3.region", "us-east-1");
    }

    @Test
    void theRightKeysFetchTheModel(@TempDir Path cache) {
        AwsKeys.use("reader", "reader-secret");
        Path dir = new ModelFetcher(settings()).fetch("s3://private-models/iris", cache.resolve("m"));
        ModelLayout.check(dir, "test");
    }

    @Test
    void aWrongSecretIsAccessDeniedAtOnce(@TempDir Path cache) {
        AwsKeys.use("reader", "not-the-secret");
        long start = System.nanoTime();
        StorageException e = assertThrows(
                StorageException.class,
                () -> new ModelFetcher(settings()).fetch("s3://private-models/iris", cache.resolve("m")));
        assertEquals(StorageException.Kind.ACCESS_DENIED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("s3:ListBucket"), e.getMessage());
        assertFalse(e.getMessage().contains("attempts"), "a refusal is not retried: " + e.getMessage());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
        assertFalse(Files.exists(cache.resolve("m")));
    }

    @Test
    void anUnknownKeyIsAccessDenied(@TempDir Path cache) {
        AwsKeys.use("someone-else", "reader-secret");
        StorageException e = assertThrows(
                StorageException.class,
                () -> new ModelFetcher(settings()).fetch("s3://private-models/iris", cache.resolve("m")));
        assertEquals(StorageException.Kind.ACCESS_DENIED, e.kind(), e.getMessage());
    }
}
