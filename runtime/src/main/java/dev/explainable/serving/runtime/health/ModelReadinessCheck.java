package dev.explainable.serving.runtime.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import dev.explainable.serving.runtime.model.ModelService;

/** Ready once the model is loaded and a warm-up explanation ran; DOWN with the reason otherwise. */
@Readiness
@ApplicationScoped
public class ModelReadinessCheck implements HealthCheck {

    private final ModelService models;

    public ModelReadinessCheck(ModelService models) {
        this.models = models;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("model")
                .withData("model", models.modelName()).withData("version", models.version())
                .withData("method", models.method());
        if (models.loaded() != null) {
            return b.up().withData("warmUpMillis", models.loaded().warmUpMillis()).build();
        }
        String failure = models.failure();
        return b.down().withData("state", failure == null ? "loading" : "failed")
                .withData("reason", failure == null ? "model is loading" : failure).build();
    }
}
