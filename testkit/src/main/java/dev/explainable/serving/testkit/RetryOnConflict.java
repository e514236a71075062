package dev.explainable.serving.testkit;

import java.net.HttpURLConnection;
import java.util.function.Consumer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;

/**
 * Edits an object as client-go's {@code RetryOnConflict} (and {@code kubectl edit}) do. Fabric8's {@code edit} sends
 * the resourceVersion it read, so a write by a controller in between (the operator patching a model's status right
 * after it was created, the kubelet updating its node) is answered 409 Conflict: read again and apply the change anew.
 */
public final class RetryOnConflict {

    static final int ATTEMPTS = 10;

    private RetryOnConflict() {}

    /** {@code resource} must be a by-name handle ({@code withName}) so that every attempt reads the object afresh. */
    public static <T extends HasMetadata> T edit(Resource<T> resource, Consumer<T> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return resource.edit(item -> {
                    change.accept(item);
                    return item;
                });
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == ATTEMPTS) {
                    throw e;
                }
                try {
                    Thread.sleep(50L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
