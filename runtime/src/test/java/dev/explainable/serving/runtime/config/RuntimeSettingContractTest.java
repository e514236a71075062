package dev.explainable.serving.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.contract.ExplanationDefaults;
import dev.explainable.serving.contract.ModelFetcherCommand;
import dev.explainable.serving.contract.RoutingDefaults;
import dev.explainable.serving.contract.RuntimeSetting;
import dev.explainable.serving.runtime.examples.Distance;
import dev.explainable.serving.runtime.storage.StorageSettings;
import dev.explainable.serving.runtime.testing.TestOptions;

/**
 * The operator sets the runtime through the environment variables of the shared contract: each one reaches the
 * setting it names, and the shipped defaults are the contract's.
 */
class RuntimeSettingContractTest {

    @Test
    void everyVariableTheOperatorSetsReachesItsSetting() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(RuntimeSetting.MODEL_DIR.env(), "/models/iris");
        env.put(RuntimeSetting.MODEL_NAME.env(), "iris");
        env.put(RuntimeSetting.MODEL_VERSION.env(), "v7");
        env.put(RuntimeSetting.METHOD.env(), AttributionMethod.SAMPLED_SHAPLEY.runtimeName());
        env.put(RuntimeSetting.INTEGRAL_STEPS.env(), "17");
        env.put(RuntimeSetting.PATHS.env(), "23");
        env.put(RuntimeSetting.METADATA_FILE.env(), "/etc/explain/metadata.json");
        env.put(RuntimeSetting.EXIT_ON_LOAD_FAILURE.env(), "true");
        env.put(RuntimeSetting.AUTH_MODE.env(), "kubernetes");
        env.put("EXPLAIN_AUTH_NAMESPACE", "team-a"); // kubernetes mode needs one outside a pod
        env.put(RuntimeSetting.ROUTING_VERSION_URL.env(), "http://iris-{version}.team-a.svc");
        env.put(RuntimeSetting.ROUTING_VERSIONS_FILE.env(), "/etc/explainable-model/versions");
        env.put(RuntimeSetting.ROUTING_MAX_CONCURRENT_FORWARDS.env(), "3");
        env.put(RuntimeSetting.STORAGE_GCS_ENDPOINT.env(), "http://gcs.example:4443");
        env.put(RuntimeSetting.STORAGE_S3_ENDPOINT.env(), "https://s3.example:9000");
        env.put(RuntimeSetting.STORAGE_S3_PATH_STYLE.env(), "true");
        env.put(RuntimeSetting.STORAGE_S3_REGION.env(), "eu-central-1");
        env.put(RuntimeSetting.STORAGE_ANONYMOUS.env(), "true");
        env.put(RuntimeSetting.STORAGE_MAX_BYTES.env(), "1000");
        env.put(RuntimeSetting.STORAGE_MAX_OBJECTS.env(), "7");
        env.put(RuntimeSetting.STORAGE_TIMEOUT.env(), "2m");
        env.put(RuntimeSetting.STORAGE_ATTEMPTS.env(), "2");
        env.put(RuntimeSetting.STORAGE_REQUEST_TIMEOUT.env(), "5s");
        env.put(RuntimeSetting.MONITORING_SAMPLE_RATE.env(), "0.25");
        env.put(RuntimeSetting.MONITORING_WINDOW_SIZE.env(), "200");
        env.put(RuntimeSetting.MONITORING_BASELINE_URI.env(), "gs://training/out/attribution.profile-*");
        env.put(RuntimeSetting.MONITORING_SKEW_THRESHOLD.env(), "0.2");
        env.put(RuntimeSetting.MONITORING_DRIFT_THRESHOLD.env(), "0.3");
        env.put(RuntimeSetting.EXAMPLES_URIS.env(), "gs://training/examples/part-*.jsonl,s3://more/set.jsonl");
        env.put(RuntimeSetting.EXAMPLES_NEIGHBOR_COUNT.env(), "7");
        env.put(RuntimeSetting.EXAMPLES_SEARCH.env(), "approximate");
        env.put(RuntimeSetting.EXAMPLES_DISTANCE.env(), "cosine");
        assertEquals(RuntimeSetting.values().length, env.size() - 1, "a setting added to the contract is tested here");

        ExplainConfig config = TestOptions.config(env);
        RuntimeOptions options = RuntimeOptions.from(config);
        assertEquals("/models/iris", options.model().dir());
        assertEquals("iris", options.model().name());
        assertEquals("v7", options.model().version());
        assertEquals(AttributionMethod.SAMPLED_SHAPLEY, options.attribution().method());
        assertEquals(17, options.attribution().integralSteps());
        assertEquals(23, options.attribution().paths());
        assertEquals("/etc/explain/metadata.json", options.model().metadataFile());
        assertTrue(config.exitOnLoadFailure());
        assertEquals("kubernetes", config.auth().mode());
        assertEquals(
                "http://iris-{version}.team-a.svc",
                config.routing().versionUrl().orElseThrow());
        assertEquals(
                "/etc/explainable-model/versions",
                config.routing().versionsFile().orElseThrow());
        assertEquals(3, config.routing().maxConcurrentForwards());
        assertEquals(0.25, config.monitoring().sampleRate());
        assertEquals(200, config.monitoring().windowSize());
        assertEquals(
                "gs://training/out/attribution.profile-*",
                config.monitoring().baselineUri().orElseThrow());
        assertEquals(0.2, config.monitoring().skewThreshold());
        assertEquals(0.3, config.monitoring().driftThreshold());
        assertEquals(
                List.of("gs://training/examples/part-*.jsonl", "s3://more/set.jsonl"),
                options.examples().uris());
        assertEquals(7, options.examples().neighborCount());
        assertTrue(options.examples().search().approximate());
        assertEquals(Distance.COSINE, options.examples().search().distance());
        StorageSettings storage = RuntimeOptions.storage(config);
        assertEquals("http://gcs.example:4443", storage.gcsEndpoint());
        assertEquals("https://s3.example:9000", storage.s3Endpoint());
        assertTrue(storage.s3PathStyle());
        assertEquals("eu-central-1", storage.s3Region());
        assertTrue(storage.anonymous());
        assertEquals(1000, storage.maxBytes());
        assertEquals(7, storage.maxObjects());
        assertEquals(Duration.ofMinutes(2), storage.timeout());
        assertEquals(2, storage.attempts());
        assertEquals(Duration.ofSeconds(5), storage.requestTimeout());
    }

    /** The fetcher's settings are all in the contract, which the operator builds its init containers from. */
    @Test
    void everySettingTheFetcherReadsIsInTheContract() {
        Set<String> contract = Arrays.stream(RuntimeSetting.values())
                .map(RuntimeSetting::property)
                .collect(Collectors.toSet());
        List<String> missing = ConfigurationDocsTest.settings().keySet().stream()
                .filter(name -> name.startsWith("explain.storage.") && !name.equals("explain.storage.cache-dir"))
                .filter(name -> !contract.contains(name))
                .toList();
        assertEquals(List.of(), missing, "explain.storage.cache-dir is the runtime's own; the rest are the fetcher's");
    }

    @Test
    void theFetcherMainClassIsTheContracts() {
        assertEquals(
                ModelFetcherCommand.MAIN_CLASS, dev.explainable.serving.runtime.service.ModelFetchMain.class.getName());
    }

    @Test
    void theShippedDefaultsAreTheContracts() {
        ExplainConfig config = TestOptions.config();
        MethodOptions method = RuntimeOptions.from(config).attribution();
        assertEquals(AttributionMethod.DEFAULT, method.method());
        assertEquals(ExplanationDefaults.INTEGRAL_STEPS, method.integralSteps());
        assertEquals(ExplanationDefaults.PATHS, method.paths());
        assertEquals(RoutingDefaults.MAX_CONCURRENT_FORWARDS, config.routing().maxConcurrentForwards());
        assertTrue(config.routing().versionUrl().isEmpty()
                && config.routing().versionsFile().isEmpty());
    }

    /**
     * The mapping is the one source of the defaults: application.properties sets no {@code explain.*} key outside a
     * test profile, so no stale line there can hide a change of the contract's or the mapping's numbers.
     */
    @Test
    void theShippedPropertiesFileRestatesNoDefault() throws Exception {
        java.util.Properties shipped = new java.util.Properties();
        try (java.io.InputStream in =
                RuntimeSettingContractTest.class.getClassLoader().getResourceAsStream("application.properties")) {
            shipped.load(in);
        }
        List<String> restated = shipped.stringPropertyNames().stream()
                .filter(k -> k.startsWith("explain."))
                .sorted()
                .toList();
        assertEquals(List.of(), restated, "defaults belong in ExplainConfig's @WithDefault only");
    }
}
