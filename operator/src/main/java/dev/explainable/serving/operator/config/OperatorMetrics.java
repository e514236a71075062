package dev.explainable.serving.operator.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * JOSDK's metrics per controller, not per resource. The Quarkus extension's default tags every meter with the
 * resource's name and namespace: 75 series per model (23 MB of /q/metrics at 1,000 models), kept after the models
 * were deleted. Replaces that default bean.
 */
@Singleton
public class OperatorMetrics {

    @Produces
    @Singleton
    Metrics metrics(MeterRegistry registry) {
        return MicrometerMetrics.withoutPerResourceMetrics(registry);
    }
}
