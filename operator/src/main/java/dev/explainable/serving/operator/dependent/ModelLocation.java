package dev.explainable.serving.operator.dependent;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;

import dev.explainable.serving.contract.ModelFetcherCommand;
import dev.explainable.serving.contract.RuntimeSetting;
import dev.explainable.serving.operator.api.StorageSpec;

/**
 * How a {@code modelUri} reaches the runtime's model folder: a read-only PVC mount, a host path, or — for
 * {@code gs://}, {@code s3://} and {@code http(s)://} — the runtime image's model fetcher as an init container, which
 * writes a checked copy into an emptyDir ({@link ModelFetcherCommand}).
 *
 * @param extraVolumes volumes only the fetcher mounts (a credentials Secret)
 */
public record ModelLocation(
        Volume volume,
        VolumeMount mount,
        Optional<Container> initContainer,
        String modelDir,
        List<Volume> extraVolumes) {

    public static final String VOLUME = "model";
    public static final String MOUNT = "/mnt/models";
    /** Where the fetcher puts the checked model, inside the emptyDir (its temporary copy goes beside it). */
    public static final String FETCHED_DIR = MOUNT + "/model";

    public static final String FETCHER = "fetch-model";
    /** The fetcher's requests (and memory limit): a JVM with the Cloud Storage and S3 clients, streaming to disk. */
    public static final String FETCHER_CPU = "250m";

    public static final String FETCHER_MEMORY = "512Mi";
    /** The fetcher's JVM: heap a share of its memory limit, exit on OutOfMemoryError, temporary files in /tmp. */
    static final String FETCHER_JVM_OPTIONS = "-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError";

    static final String GCS_CREDENTIALS_VOLUME = "gcs-credentials";
    static final String GCS_CREDENTIALS_MOUNT = "/var/run/secrets/explainable/gcs";
    static final String GCS_KEY_FILE = "key.json";

    public static ModelLocation of(String uri, String fetcherImage) {
        return of(uri, null, fetcherImage, null);
    }

    public static ModelLocation of(String uri, StorageSpec storage, String fetcherImage, String pullPolicy) {
        if (uri.startsWith("pvc://")) {
            String rest = uri.substring("pvc://".length());
            int slash = rest.indexOf('/');
            String claim = slash < 0 ? rest : rest.substring(0, slash);
            String path = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("/+$", "");
            Volume v = new VolumeBuilder()
                    .withName(VOLUME)
                    .withNewPersistentVolumeClaim(claim, true)
                    .build();
            return new ModelLocation(
                    v, mount(true), Optional.empty(), path.isEmpty() ? MOUNT : MOUNT + "/" + path, List.of());
        }
        if (uri.startsWith("file://")) {
            // only where the operator's policy allows the path (ModelPolicy); hostPath fails "restricted" admission
            String path = uri.substring("file://".length());
            Volume v = new VolumeBuilder()
                    .withName(VOLUME)
                    .withNewHostPath(path, "Directory")
                    .build();
            return new ModelLocation(v, mount(true), Optional.empty(), MOUNT, List.of());
        }
        if (uri.startsWith("gs://")
                || uri.startsWith("s3://")
                || uri.startsWith("http://")
                || uri.startsWith("https://")) {
            return fetched(uri, storage == null ? new StorageSpec() : storage, fetcherImage, pullPolicy);
        }
        throw new IllegalArgumentException(
                "unsupported modelUri " + uri + " (gs://, s3://, pvc://, http(s):// or file:///)");
    }

    private static ModelLocation fetched(String uri, StorageSpec storage, String image, String pullPolicy) {
        Volume v = new VolumeBuilder()
                .withName(VOLUME)
                .withNewEmptyDir()
                .endEmptyDir()
                .build();
        List<VolumeMount> mounts = new ArrayList<>(List.of(
                mount(false),
                new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build()));
        Credentials credentials = credentials(storage);
        List<Volume> extra = new ArrayList<>(credentials.volumes());
        mounts.addAll(credentials.mounts());
        List<EnvVar> env = new ArrayList<>(settings(storage));
        env.add(value("JAVA_TOOL_OPTIONS", FETCHER_JVM_OPTIONS));
        env.addAll(credentials.env());
        Container fetch = new ContainerBuilder()
                .withName(FETCHER)
                .withImage(image)
                .withImagePullPolicy(pullPolicy)
                .withCommand(ModelFetcherCommand.command(uri, FETCHED_DIR))
                .withEnv(env)
                .withVolumeMounts(mounts)
                // the reason of a failure (written to /dev/termination-log, else the log's tail) reaches the status
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                // as hardened as the runtime: the pod's non-root uid, no privileges, writes only to its volumes
                .withSecurityContext(DesiredDeployment.containerSecurityContext())
                .withNewResources()
                .addToRequests("cpu", new Quantity(FETCHER_CPU))
                .addToRequests("memory", new Quantity(FETCHER_MEMORY))
                .addToLimits("memory", new Quantity(FETCHER_MEMORY))
                .endResources()
                .build();
        return new ModelLocation(v, mount(true), Optional.of(fetch), FETCHED_DIR, extra);
    }

    /**
     * The storage credentials {@code spec.storage} names, as a container reading gs:// or s3:// needs them: a GCS
     * key file (a Secret volume, its mount, GOOGLE_APPLICATION_CREDENTIALS) and the S3 keys (env from the Secret).
     */
    public record Credentials(List<EnvVar> env, List<Volume> volumes, List<VolumeMount> mounts) {}

    public static Credentials credentials(StorageSpec storage) {
        List<EnvVar> env = new ArrayList<>();
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        if (storage == null) {
            return new Credentials(env, volumes, mounts);
        }
        StorageSpec.Gcs gcs = storage.getGcs();
        if (gcs != null && gcs.getCredentialsSecret() != null) {
            StorageSpec.SecretKey s = gcs.getCredentialsSecret();
            volumes.add(new VolumeBuilder()
                    .withName(GCS_CREDENTIALS_VOLUME)
                    .withNewSecret()
                    .withSecretName(s.getName())
                    .addNewItem()
                    .withKey(s.getKey() == null ? GCS_KEY_FILE : s.getKey())
                    .withPath(GCS_KEY_FILE)
                    .endItem()
                    .endSecret()
                    .build());
            mounts.add(new VolumeMountBuilder()
                    .withName(GCS_CREDENTIALS_VOLUME)
                    .withMountPath(GCS_CREDENTIALS_MOUNT)
                    .withReadOnly(true)
                    .build());
            // Application Default Credentials read the key file this names
            env.add(value("GOOGLE_APPLICATION_CREDENTIALS", GCS_CREDENTIALS_MOUNT + "/" + GCS_KEY_FILE));
        }
        StorageSpec.S3 s3 = storage.getS3();
        if (s3 != null && s3.getCredentialsSecret() != null) {
            StorageSpec.S3Secret s = s3.getCredentialsSecret();
            // the AWS SDK's default chain reads these first
            env.add(secret(
                    "AWS_ACCESS_KEY_ID",
                    s.getName(),
                    s.getAccessKeyIdKey() == null ? "AWS_ACCESS_KEY_ID" : s.getAccessKeyIdKey()));
            env.add(secret(
                    "AWS_SECRET_ACCESS_KEY",
                    s.getName(),
                    s.getSecretAccessKeyKey() == null ? "AWS_SECRET_ACCESS_KEY" : s.getSecretAccessKeyKey()));
        }
        return new Credentials(env, volumes, mounts);
    }

    /** The fetcher's storage settings the model sets (the rest keep the runtime's defaults). */
    public static List<EnvVar> settings(StorageSpec storage) {
        List<EnvVar> env = new ArrayList<>();
        if (storage == null) {
            return env; // Google's and AWS's endpoints, the pod's own identity
        }
        if (Boolean.TRUE.equals(storage.getAnonymous())) {
            env.add(value(RuntimeSetting.STORAGE_ANONYMOUS.env(), "true"));
        }
        if (storage.getGcs() != null && storage.getGcs().getEndpoint() != null) {
            env.add(value(
                    RuntimeSetting.STORAGE_GCS_ENDPOINT.env(), storage.getGcs().getEndpoint()));
        }
        StorageSpec.S3 s3 = storage.getS3();
        if (s3 != null) {
            if (s3.getEndpoint() != null) {
                env.add(value(RuntimeSetting.STORAGE_S3_ENDPOINT.env(), s3.getEndpoint()));
            }
            if (s3.getPathStyle() != null) {
                env.add(value(
                        RuntimeSetting.STORAGE_S3_PATH_STYLE.env(),
                        s3.getPathStyle().toString()));
            }
            if (s3.getRegion() != null) {
                env.add(value(RuntimeSetting.STORAGE_S3_REGION.env(), s3.getRegion()));
            }
        }
        return env;
    }

    private static EnvVar value(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    private static EnvVar secret(String name, String secret, String key) {
        return new EnvVarBuilder()
                .withName(name)
                .withNewValueFrom()
                .withNewSecretKeyRef(key, secret, false)
                .endValueFrom()
                .build();
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
