package dev.explainable.serving.runtime.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.explainable.serving.contract.RuntimeSetting;
import dev.explainable.serving.runtime.storage.ObjectStoreServers;

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
                "EXPLAIN_STORAGE_ATTEMPTS",
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
    void theEnvironmentGivesTheSameSettingsAsTheRuntimesConfiguration() {
        Map<String, String> env = Map.of(
                RuntimeSetting.STORAGE_S3_ENDPOINT.env(),
                "https://s3.example",
                RuntimeSetting.STORAGE_S3_PATH_STYLE.env(),
                "true",
                RuntimeSetting.STORAGE_S3_REGION.env(),
                "eu-west-1",
                "EXPLAIN_STORAGE_MAX_BYTES",
                "1000",
                "EXPLAIN_STORAGE_TIMEOUT",
                "2m",
                "EXPLAIN_STORAGE_REQUEST_TIMEOUT",
                "5s");
        assertEquals(
                dev.explainable.serving.runtime.config.RuntimeOptions.storage(
                        dev.explainable.serving.runtime.config.RuntimeSettingContractTestAccess.configFrom(env)),
                ModelFetchMain.settings(env));
        assertEquals(
                dev.explainable.serving.runtime.storage.StorageSettings.defaults(), ModelFetchMain.settings(Map.of()));
    }

    @Test
    void wrongArgumentsAreAUsageError() {
        assertEquals(2, ModelFetchMain.run(new String[] {"gs://models/iris"}, Map.of(), Path.of("/nonexistent")));
    }
}
