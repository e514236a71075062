package dev.explainable.serving.runtime.api.auth;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while the runtime cannot check its callers because its ServiceAccount may not create TokenReviews or
 * SubjectAccessReviews: every call would be refused (503), so the pod takes none, and the reason says what to bind.
 */
@Readiness
@ApplicationScoped
public class CallerChecksReadiness implements HealthCheck {

    private final CallerAuth auth;

    public CallerChecksReadiness(CallerAuth auth) {
        this.auth = auth;
    }

    @Override
    public HealthCheckResponse call() {
        String missing = auth.whyCallersCannotBeChecked();
        return missing == null
                ? HealthCheckResponse.named("callers").up().build()
                : HealthCheckResponse.named("callers")
                        .down()
                        .withData("reason", missing)
                        .build();
    }
}
