package dev.explainable.serving.operator.dependent;

import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;

/**
 * How a {@code modelUri} reaches the runtime's model folder: a read-only PVC mount, a host path, or an archive
 * downloaded by an init container into an emptyDir.
 */
public record ModelLocation(Volume volume, VolumeMount mount, Optional<Container> initContainer, String modelDir) {

    public static final String VOLUME = "model";
    public static final String MOUNT = "/mnt/models";
    /** The model fetcher's requests (and memory limit): busybox wget and tar need little. */
    public static final String FETCHER_CPU = "100m";

    public static final String FETCHER_MEMORY = "128Mi";

    public static ModelLocation of(String uri, String fetcherImage) {
        if (uri.startsWith("pvc://")) {
            String rest = uri.substring("pvc://".length());
            int slash = rest.indexOf('/');
            String claim = slash < 0 ? rest : rest.substring(0, slash);
            String path = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("/+$", "");
            Volume v = new VolumeBuilder()
                    .withName(VOLUME)
                    .withNewPersistentVolumeClaim(claim, true)
                    .build();
            return new ModelLocation(v, mount(true), Optional.empty(), path.isEmpty() ? MOUNT : MOUNT + "/" + path);
        }
        if (uri.startsWith("file://")) {
            // only where the operator's policy allows the path (ModelPolicy); hostPath fails "restricted" admission
            String path = uri.substring("file://".length());
            Volume v = new VolumeBuilder()
                    .withName(VOLUME)
                    .withNewHostPath(path, "Directory")
                    .build();
            return new ModelLocation(v, mount(true), Optional.empty(), MOUNT);
        }
        if (uri.startsWith("http://") || uri.startsWith("https://")) {
            Volume v = new VolumeBuilder()
                    .withName(VOLUME)
                    .withNewEmptyDir()
                    .endEmptyDir()
                    .build();
            // A tar.gz of the SavedModel folder's contents; a single top-level folder is stripped by the runtime's
            // loader only if present, so archives are expected flat (saved_model.pb at the root).
            Container fetch = new ContainerBuilder()
                    .withName("fetch-model")
                    .withImage(fetcherImage)
                    .withCommand(
                            "sh",
                            "-c",
                            "set -e; wget -q -O /tmp/model.tgz \"$MODEL_URI\"; " + "tar -xzf /tmp/model.tgz -C " + MOUNT
                                    + "; ls " + MOUNT + "/saved_model.pb")
                    .addNewEnv()
                    .withName("MODEL_URI")
                    .withValue(uri)
                    .endEnv()
                    .withVolumeMounts(
                            mount(false),
                            new VolumeMountBuilder()
                                    .withName("tmp")
                                    .withMountPath("/tmp")
                                    .build())
                    // as hardened as the runtime: the pod's non-root uid, no privileges, writes only to its volumes
                    .withSecurityContext(DesiredDeployment.containerSecurityContext())
                    // wget and tar stream; the archive goes to the tmp emptyDir, not memory
                    .withNewResources()
                    .addToRequests("cpu", new Quantity(FETCHER_CPU))
                    .addToRequests("memory", new Quantity(FETCHER_MEMORY))
                    .addToLimits("memory", new Quantity(FETCHER_MEMORY))
                    .endResources()
                    .build();
            return new ModelLocation(v, mount(true), Optional.of(fetch), MOUNT);
        }
        throw new IllegalArgumentException("unsupported modelUri " + uri + " (pvc://, http(s):// or file:///)");
    }

    private static VolumeMount mount(boolean readOnly) {
        return new VolumeMountBuilder()
                .withName(VOLUME)
                .withMountPath(MOUNT)
                .withReadOnly(readOnly)
                .build();
    }

    public List<Container> initContainers() {
        return initContainer.map(List::of).orElse(List.of());
    }
}
