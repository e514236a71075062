package dev.explainable.serving.runtime.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import dev.explainable.serving.runtime.service.ModelHost;
import dev.explainable.serving.runtime.service.ModelState;

/** Ready once the model is loaded and a warm-up explanation ran; DOWN with the reason otherwise. */
@Readiness
@ApplicationScoped
public class ModelReadinessCheck implements HealthCheck {

    private final ModelHost models;

    public ModelReadinessCheck(ModelHost models) {
        this.models = models;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("model")
                .withData("model", models.modelName())
                .withData("version", models.version())
                .withData("method", models.method());
        ModelState state = models.state();
        if (state instanceof ModelState.Ready r) {
            return b.up().withData("warmUpMillis", r.model().warmUpMillis()).build();
        }
        if (state instanceof ModelState.Failed f) {
            return b.down()
                    .withData("state", "failed")
                    .withData("reason", f.reason())
                    .build();
        }
        return b.down()
                .withData("state", "loading")
                .withData("reason", "model is loading")
                .build();
    }
}
