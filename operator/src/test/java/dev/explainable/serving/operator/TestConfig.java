package dev.explainable.serving.operator;

import java.util.LinkedHashMap;
import java.util.Map;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

import dev.explainable.serving.operator.config.OperatorConfig;

/**
 * Operator settings for tests, without Quarkus: the real {@link OperatorConfig} mapping read through SmallRye from
 * properties, every setting not given at the operator's default. Tests run with {@link #TESTS}: example images, a GPU
 * node selector, an nginx Ingress class (the Ingress off, as by default), and file:// models allowed under
 * {@value #MODEL_PATH}: the control-plane tests' models live there (kwok pods mount nothing, and a PVC would need a
 * provisioner). The product's default allows none (OperatorConfigDefaultsTest).
 */
public final class TestConfig {

    public static final String MODEL_PATH = "/srv/models";

    /** What tests run with unless they say otherwise. */
    public static final Map<String, String> TESTS = Map.of(
            "explainable.operator.runtime-image", "example.org/runtime:1",
            "explainable.operator.runtime-gpu-image", "example.org/runtime:1-gpu",
            "explainable.operator.gpu-node-selector", "nvidia.com/gpu.present=true",
            "explainable.operator.ingress.class-name", "nginx",
            "explainable.operator.policy.allowed-model-paths", MODEL_PATH);

    private TestConfig() {}

    /**
     * The tests' settings, then {@code properties} as name, value pairs, later ones winning:
     * {@code TestConfig.of("explainable.operator.ingress.enabled", "true")}. An empty value unsets a setting.
     */
    public static OperatorConfig of(String... properties) {
        if (properties.length % 2 != 0) {
            throw new IllegalArgumentException("properties come as name, value pairs");
        }
        Map<String, String> map = new LinkedHashMap<>(TESTS);
        for (int i = 0; i < properties.length; i += 2) {
            map.put(properties[i], properties[i + 1]);
        }
        return from(map);
    }

    /**
     * The settings in {@code properties} alone ({@code explainable.operator.*} names, or {@code EXPLAINABLE_OPERATOR_*}
     * variables as the Helm chart sets them), every other one at the operator's default.
     */
    public static OperatorConfig from(Map<String, String> properties) {
        Map<String, String> named = new LinkedHashMap<>();
        Map<String, String> env = new LinkedHashMap<>();
        properties.forEach((k, v) -> (k.contains(".") ? named : env).put(k, v));
        return new SmallRyeConfigBuilder()
                .withMapping(OperatorConfig.class)
                // as Quarkus reads durations: "30s" as well as "PT30S"
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(named, "test properties", 400), new EnvConfigSource(env, 300))
                .build()
                .getConfigMapping(OperatorConfig.class);
    }
}
