package dev.explainable.serving.runtime.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.explainable.serving.contract.RuntimeSetting;
import dev.explainable.serving.runtime.storage.ObjectStoreServers;
import dev.explainable.serving.runtime.storage.StorageSettings;
import dev.explainable.serving.runtime.testing.TestOptions;

/**
 * The init container's command against a real Cloud Storage server: settings from the environment as the operator
 * sets them, exit 0 with the model in place, exit 1 with the reason in the termination log.
 */
class ModelFetchMainTest {

    @TempDir
    static Path data;

    static ObjectStoreServers.Server server;

    @BeforeAll
    static void start() {
        ObjectStoreServers.assumeAvailable();
        ObjectStoreServers.copyModel("tabular_classifier", data.resolve("models/iris"));
        server = ObjectStoreServers.fakeGcs(data);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    Map<String, String> env() {
        return Map.of(
                RuntimeSetting.STORAGE_GCS_ENDPOINT.env(),
                server.endpoint(),
                RuntimeSetting.STORAGE_ANONYMOUS.env(),
                "true",
                RuntimeSetting.STORAGE_ATTEMPTS.env(),
                "2");
    }

    @Test
    void fetchesIntoTheDestination(@TempDir Path mount) throws IOException {
        Path log = Files.createFile(mount.resolve("termination-log"));
        Path dest = mount.resolve("model");
        assertEquals(0, ModelFetchMain.run(new String[] {"gs://models/iris", dest.toString()}, env(), log));
        assertTrue(Files.isRegularFile(dest.resolve("saved_model.pb")));
        assertEquals("", Files.readString(log));
    }

    @Test
    void aFailureExitsOneWithTheReasonInTheTerminationLog(@TempDir Path mount) throws IOException {
        Path log = Files.createFile(mount.resolve("termination-log"));
        Path dest = mount.resolve("model");
        assertEquals(1, ModelFetchMain.run(new String[] {"gs://models/iris-v2", dest.toString()}, env(), log));
        assertFalse(Files.exists(dest));
        assertTrue(
                Files.readString(log).startsWith("fetching gs://models/iris-v2: not found: no objects under"),
                Files.readString(log));
    }

    @Test
    void withoutCredentialsItSaysSo(@TempDir Path mount) throws IOException {
        Path log = Files.createFile(mount.resolve("termination-log"));
        Map<String, String> env = Map.of(RuntimeSetting.STORAGE_GCS_ENDPOINT.env(), server.endpoint());
        assertEquals(
                1,
                ModelFetchMain.run(
                        new String[] {"gs://models/iris", mount.resolve("m").toString()}, env, log));
        assertTrue(Files.readString(log).contains("no credentials"), Files.readString(log));
    }

    @Test
    void theEnvironmentIsReadWithTheRuntimesNamesDefaultsAndSyntax() {
        StorageSettings s = ModelFetchMain.settings(Map.of(
                RuntimeSetting.STORAGE_S3_ENDPOINT.env(),
                "https://s3.example",
                RuntimeSetting.STORAGE_S3_PATH_STYLE.env(),
                "true",
                RuntimeSetting.STORAGE_MAX_BYTES.env(),
                "1000",
                RuntimeSetting.STORAGE_TIMEOUT.env(),
                "2m",
                RuntimeSetting.STORAGE_REQUEST_TIMEOUT.env(),
                "PT5S"));
        assertEquals("https://s3.example", s.s3Endpoint());
        assertTrue(s.s3PathStyle());
        assertEquals(1000, s.maxBytes());
        assertEquals(Duration.ofMinutes(2), s.timeout());
        assertEquals(Duration.ofSeconds(5), s.requestTimeout());
        assertEquals(TestOptions.storage(), ModelFetchMain.settings(Map.of()), "the runtime's defaults");
    }

    @Test
    void aValueThatDoesNotParseFailsNamingTheSetting(@TempDir Path mount) throws IOException {
        Path log = Files.createFile(mount.resolve("termination-log"));
        Map<String, String> env = Map.of(RuntimeSetting.STORAGE_MAX_BYTES.env(), "ten gigabytes");
        assertEquals(
                1,
                ModelFetchMain.run(
                        new String[] {"gs://models/iris", mount.resolve("m").toString()}, env, log));
        assertTrue(Files.readString(log).contains(RuntimeSetting.STORAGE_MAX_BYTES.property()), Files.readString(log));
    }

    @Test
    void wrongArgumentsAreAUsageError() {
        assertEquals(2, ModelFetchMain.run(new String[] {"gs://models/iris"}, Map.of(), Path.of("/nonexistent")));
    }
}
