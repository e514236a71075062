package dev.explainable.serving.operator.dependent;

import java.util.List;

import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;

/**
 * The ServiceAccount token, CA and namespace of a runtime that checks its callers (TokenReview, SubjectAccessReview),
 * in the runtime container only, where the API server's clients look for them. The pod's automounted token is off:
 * that one would reach every container, the model fetcher's included, which never calls the API server.
 */
final class ApiTokenVolume {

    static final String NAME = "api-token";
    static final String PATH = "/var/run/secrets/kubernetes.io/serviceaccount";

    /** An hour, rotated by the kubelet before it expires (the runtime reads the file again). */
    static final long EXPIRATION_SECONDS = 3600;

    private ApiTokenVolume() {}

    static List<Volume> volumes(boolean checksCallers) {
        if (!checksCallers) {
            return List.of();
        }
        return List.of(new VolumeBuilder()
                .withName(NAME)
                .withNewProjected()
                .withDefaultMode(0444)
                .addNewSource()
                .withNewServiceAccountToken()
                .withPath("token")
                .withExpirationSeconds(EXPIRATION_SECONDS)
                .endServiceAccountToken()
                .endSource()
                .addNewSource()
                .withNewConfigMap()
                .withName("kube-root-ca.crt")
                .addNewItem()
                .withKey("ca.crt")
                .withPath("ca.crt")
                .endItem()
                .endConfigMap()
                .endSource()
                .addNewSource()
                .withNewDownwardAPI()
                .addNewItem()
                .withPath("namespace")
                .withNewFieldRef()
                .withApiVersion("v1")
                .withFieldPath("metadata.namespace")
                .endFieldRef()
                .endItem()
                .endDownwardAPI()
                .endSource()
                .endProjected()
                .build());
    }

    static List<VolumeMount> mounts(boolean checksCallers) {
        if (!checksCallers) {
            return List.of();
        }
        return List.of(new VolumeMountBuilder()
                .withName(NAME)
                .withMountPath(PATH)
                .withReadOnly(true)
                .build());
    }
}
