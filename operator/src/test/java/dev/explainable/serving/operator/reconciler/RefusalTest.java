package dev.explainable.serving.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** Which failures the error-status handler reports as the API server's refusal. */
class RefusalTest {

    static KubernetesClientException answered(int code, String message) {
        return new KubernetesClientException(
                new StatusBuilder().withCode(code).withMessage(message).build());
    }

    @Test
    void refusalsAreReportedWithTheServersMessage() {
        assertThat(ExplainableModelReconciler.refusal(answered(422, "ConfigMap \"m-v1-explain\" is invalid")))
                .isEqualTo("ConfigMap \"m-v1-explain\" is invalid");
        assertThat(ExplainableModelReconciler.refusal(new RuntimeException("wrapped", answered(403, "forbidden"))))
                .isEqualTo("forbidden");
    }

    @Test
    void transientFailuresAreNotRefusals() {
        assertThat(ExplainableModelReconciler.refusal(answered(409, "the object has been modified")))
                .isNull();
        assertThat(ExplainableModelReconciler.refusal(answered(429, "too many requests")))
                .isNull();
        assertThat(ExplainableModelReconciler.refusal(answered(504, "timeout"))).isNull();
        assertThat(ExplainableModelReconciler.refusal(new KubernetesClientException("connection reset")))
                .isNull();
    }
}
