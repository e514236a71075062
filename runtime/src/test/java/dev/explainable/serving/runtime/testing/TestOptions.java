package dev.explainable.serving.runtime.testing;

import java.util.LinkedHashMap;
import java.util.Map;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;

import dev.explainable.serving.runtime.config.ExplainConfig;
import dev.explainable.serving.runtime.config.RuntimeOptions;
import dev.explainable.serving.runtime.config.StandaloneConfig;
import dev.explainable.serving.runtime.storage.StorageSettings;

/**
 * The runtime's settings for tests, read from a property map through SmallRye as the runtime reads its own
 * ({@link StandaloneConfig}): every setting not given keeps ExplainConfig's default, and a misspelt {@code explain.*}
 * name fails. Properties come as name, value pairs, later ones winning:
 * {@code TestOptions.from("explain.method", "xrai", "explain.integral-steps", "10")}. A name without a dot is an
 * environment variable ({@code EXPLAIN_INTEGRAL_STEPS}), as the operator sets them.
 */
public final class TestOptions {

    private TestOptions() {}

    /** The configuration with these properties. */
    public static ExplainConfig config(String... properties) {
        return config(properties(properties));
    }

    /** The configuration with these properties ({@code explain.*} names) or environment variables. */
    public static ExplainConfig config(Map<String, String> properties) {
        Map<String, String> named = new LinkedHashMap<>();
        Map<String, String> env = new LinkedHashMap<>();
        properties.forEach((k, v) -> (k.contains(".") ? named : env).put(k, v));
        return StandaloneConfig.read(
                new PropertiesConfigSource(named, "test properties", 400), new EnvConfigSource(env, 300));
    }

    /** The runtime's options with these properties. */
    public static RuntimeOptions from(String... properties) {
        return RuntimeOptions.from(config(properties));
    }

    /** The runtime's options with {@code base}, then these properties. */
    public static RuntimeOptions from(Map<String, String> base, String... properties) {
        return RuntimeOptions.from(config(merged(base, properties)));
    }

    /** The model fetcher's settings with these properties. */
    public static StorageSettings storage(String... properties) {
        return RuntimeOptions.storage(config(properties));
    }

    /** The model fetcher's settings with {@code base}, then these properties. */
    public static StorageSettings storage(Map<String, String> base, String... properties) {
        return RuntimeOptions.storage(config(merged(base, properties)));
    }

    /** Name, value pairs as a map; a name given twice keeps its last value. */
    public static Map<String, String> properties(String... nameValuePairs) {
        if (nameValuePairs.length % 2 != 0) {
            throw new IllegalArgumentException("properties come as name, value pairs");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            map.put(nameValuePairs[i], nameValuePairs[i + 1]);
        }
        return map;
    }

    private static Map<String, String> merged(Map<String, String> base, String... properties) {
        Map<String, String> map = new LinkedHashMap<>(base);
        map.putAll(properties(properties));
        return map;
    }
}
