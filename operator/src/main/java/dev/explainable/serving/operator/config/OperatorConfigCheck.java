package dev.explainable.serving.operator.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.StartupEvent;

/** Refuses to start with a setting that would only fail later, at the first GPU version's reconciliation. */
@ApplicationScoped
public class OperatorConfigCheck {

    void onStart(@Observes StartupEvent event, OperatorConfig config) {
        config.gpuTolerationList();
    }
}
