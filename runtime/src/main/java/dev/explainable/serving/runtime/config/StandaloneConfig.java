package dev.explainable.serving.runtime.config;

import java.time.Duration;
import java.util.Map;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * {@link ExplainConfig} read without Quarkus, the way Quarkus reads it: SmallRye Config with the mapping's own names and
 * defaults and Quarkus' duration syntax ({@code 60s}, {@code PT1M}). The model fetcher's command reads its environment
 * through it; tests read their property maps through it.
 */
public final class StandaloneConfig {

    private StandaloneConfig() {}

    /** The settings in {@code env} ({@code EXPLAIN_*} variables), every other one at its default. */
    public static ExplainConfig fromEnvironment(Map<String, String> env) {
        return read(new EnvConfigSource(env, 300));
    }

    /** The settings in {@code sources}, every other one at its default. */
    public static ExplainConfig read(ConfigSource... sources) {
        return new SmallRyeConfigBuilder()
                .withMapping(ExplainConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(sources)
                .build()
                .getConfigMapping(ExplainConfig.class);
    }
}
