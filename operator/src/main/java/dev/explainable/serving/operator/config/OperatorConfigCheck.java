package dev.explainable.serving.operator.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.StartupEvent;

import dev.explainable.serving.operator.policy.ModelPolicy;

/** Refuses to start with a setting that would only fail later (a GPU version's reconciliation) or mislead (policy). */
@ApplicationScoped
public class OperatorConfigCheck {

    void onStart(@Observes StartupEvent event, OperatorConfig config) {
        config.gpuTolerationList();
        ModelPolicy.checkConfig(config);
    }
}
