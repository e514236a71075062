package dev.explainable.serving.operator.management;

import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import dev.explainable.serving.operator.api.ExplainableModel;

/**
 * A change of an ExplainableModel's spec by a management call: read, edit, update at the resource version read, and
 * again on a conflict, so two callers never overwrite each other's versions.
 */
public final class ModelChanges {

    static final int ATTEMPTS = 5;

    private ModelChanges() {}

    /** {@code read} gives the model as it is now (or throws NOT_FOUND); {@code edit} changes it or refuses. */
    public static ExplainableModel change(
            KubernetesClient client, Supplier<ExplainableModel> read, UnaryOperator<ExplainableModel> edit) {
        for (int attempt = 1; ; attempt++) {
            ExplainableModel changed = edit.apply(read.get());
            changed.setStatus(null);
            try {
                return client.resource(changed).update();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }
}
