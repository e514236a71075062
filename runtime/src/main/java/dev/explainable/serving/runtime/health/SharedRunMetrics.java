package dev.explainable.serving.runtime.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

import dev.explainable.serving.runtime.service.ModelHost;

/**
 * {@code explainable_model_runs_total}: the served model's TensorFlow runs; {@code explainable_model_run_parts_total}:
 * the requests' parts those runs carried. Their rates' ratio is how many requests one run served (cross-request
 * batching, explain.batching).
 */
@ApplicationScoped
public class SharedRunMetrics {

    void register(@Observes StartupEvent ev, ModelHost models, MeterRegistry registry) {
        FunctionCounter.builder("explainable.model.runs", models, ModelHost::sharedRuns)
                .description("TensorFlow runs of the served model (shared across requests)")
                .register(registry);
        FunctionCounter.builder("explainable.model.run.parts", models, ModelHost::sharedRunParts)
                .description("Requests' parts the model's runs carried; per run, the requests one run served")
                .register(registry);
    }
}
