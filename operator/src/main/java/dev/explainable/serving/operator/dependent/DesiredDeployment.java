package dev.explainable.serving.operator.dependent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder;

import dev.explainable.serving.contract.RoutingDefaults;
import dev.explainable.serving.contract.RuntimeSetting;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelSpec;
import dev.explainable.serving.operator.api.ResourcesSpec;
import dev.explainable.serving.operator.api.RuntimeSpec;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.config.OperatorConfig;

/**
 * A version's Deployment: the runtime's pods, configured through its {@link RuntimeSetting}s, hardened to the
 * "restricted" Pod Security Standard, and rolled when the version's {@link VersionConfig#hash} changes.
 */
public final class DesiredDeployment {

    /** The runtime's JVM options (also the image's defaults, pom.xml). */
    static final String RUNTIME_JVM_OPTIONS =
            "-XX:MaxRAMPercentage=40 -XX:+ExitOnOutOfMemoryError " + "-Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp";

    /** TensorFlow's switch for its oneDNN CPU kernels. */
    static final String ONE_DNN_ENV = "TF_ENABLE_ONEDNN_OPTS";

    public static final String GPU = "nvidia.com/gpu";
    public static final int HTTP_PORT = 8080;
    /**
     * The runtime's management interface: health and metrics, on a port and connection budget of their own so that
     * clients filling the API port never take the probes dark. The Service does not expose it.
     */
    public static final int MANAGEMENT_PORT = 9000;
    /**
     * A stopping runtime keeps answering for 5 s while it moves clients to other pods, then finishes in-flight
     * requests for up to 25 s (runtime's quarkus.shutdown.delay and .timeout); plus slack.
     */
    public static final long TERMINATION_GRACE_SECONDS = 35;
    /** Where the version's ConfigMap (and so its inline metadata file) is mounted. */
    public static final String CONFIG_MOUNT = "/etc/explainable";
    /**
     * Where the model's versions ConfigMap is mounted (its own folder: a mount inside the version's ConfigMap volume
     * would need a folder there). A whole-ConfigMap volume, not a subPath, so that the kubelet refreshes it.
     */
    public static final String VERSIONS_MOUNT = "/etc/explainable-model";
    /** The user the runtime image runs as. */
    public static final long RUNTIME_UID = 185;

    private DesiredDeployment() {}

    static int gpus(VersionSpec v) {
        return v.getResources() == null || v.getResources().getGpus() == null
                ? 0
                : v.getResources().getGpus();
    }

    /** As {@link #of(ExplainableModel, VersionSpec, VersionConfig, OperatorConfig)}, for one version alone. */
    public static Deployment of(ExplainableModel m, VersionSpec v, OperatorConfig config) {
        return of(m, v, VersionConfig.of(m, v), config);
    }

    public static Deployment of(ExplainableModel m, VersionSpec v, VersionConfig versionConfig, OperatorConfig config) {
        String model = m.getMetadata().getName();
        ResourcesSpec r = v.getResources() == null ? new ResourcesSpec() : v.getResources();
        int gpus = gpus(v);
        String image = image(m, gpus, config);
        String pullPolicy = pullPolicy(m, config);
        // the fetcher runs from the CPU runtime image, whatever image serves the version
        ModelLocation location =
                ModelLocation.of(v.getModelUri(), m.getSpec().getStorage(), config.runtimeImage(), pullPolicy);
        String cm = DesiredState.configMapName(m, v.getName());

        List<EnvVar> env = new ArrayList<>();
        for (String key : versionConfig.settings().keySet()) {
            if (!key.equals(DesiredConfigMap.MODEL_URI_KEY)) {
                env.add(new EnvVarBuilder()
                        .withName(key)
                        .withNewValueFrom()
                        .withNewConfigMapKeyRef(key, cm, false)
                        .endValueFrom()
                        .build());
            }
        }
        env.add(envVar(RuntimeSetting.MODEL_DIR.env(), location.modelDir()));
        if (versionConfig.metadataJson() != null) {
            env.add(envVar(RuntimeSetting.METADATA_FILE.env(), CONFIG_MOUNT + "/" + DesiredConfigMap.METADATA_FILE));
        }
        env.add(envVar(RuntimeSetting.EXIT_ON_LOAD_FAILURE.env(), "true"));
        env.add(envVar(
                RuntimeSetting.AUTH_MODE.env(),
                m.getSpec().checksCallers() ? ExplainableModelSpec.AUTH_KUBERNETES : ExplainableModelSpec.AUTH_NONE));
        // a Vertex request naming another version (deployedModelId) is forwarded to that version's Service, a bounded
        // number at once, and only for a version the mounted versions file lists (neither value names a version, so
        // adding one changes no pod template)
        env.add(envVar(RuntimeSetting.ROUTING_VERSION_URL.env(), DesiredState.versionUrl(m)));
        env.add(envVar(
                RuntimeSetting.ROUTING_VERSIONS_FILE.env(), VERSIONS_MOUNT + "/" + DesiredConfigMap.VERSIONS_KEY));
        env.add(envVar(
                RuntimeSetting.ROUTING_MAX_CONCURRENT_FORWARDS.env(), RoutingDefaults.MAX_CONCURRENT_FORWARDS_TEXT));
        env.add(envVar("TF_CPP_MIN_LOG_LEVEL", "2"));
        oneDnn(m.getSpec().getRuntime()).ifPresent(env::add);
        // a monitoring baseline or an example set on gs:// or s3:// is read by the runtime itself, with the model's
        // storage settings and credentials (the model's own files are the fetcher's)
        boolean hasExamples = v.getExplanationSpec() != null
                && v.getExplanationSpec().getParameters() != null
                && v.getExplanationSpec().getParameters().getExamples() != null;
        boolean readsBaseline = v.getMonitoring() != null && v.getMonitoring().getBaselineUri() != null || hasExamples;
        ModelLocation.Credentials baselineCredentials = readsBaseline
                ? ModelLocation.credentials(m.getSpec().getStorage())
                : new ModelLocation.Credentials(List.of(), List.of(), List.of());
        if (readsBaseline) {
            env.addAll(ModelLocation.settings(m.getSpec().getStorage()));
            env.addAll(baselineCredentials.env());
        }
        // the fetcher's credential volumes are the pod's already
        List<String> podVolumes = new ArrayList<>();
        location.extraVolumes().forEach(x -> podVolumes.add(x.getName()));
        List<io.fabric8.kubernetes.api.model.Volume> baselineVolumes = baselineCredentials.volumes().stream()
                .filter(x -> !podVolumes.contains(x.getName()))
                .toList();
        if (config.runtimeJsonLogs()) {
            env.add(envVar("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true"));
        }
        config.runtimeOtlpEndpoint().filter(e -> !e.isBlank()).ifPresent(endpoint -> {
            env.add(envVar("QUARKUS_OTEL_SDK_DISABLED", "false"));
            env.add(envVar("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", endpoint));
        });
        // The root filesystem is read-only: TensorFlow's natives unpack into /tmp.
        // Heap 40% of the container (TensorFlow's native memory needs the rest), exit on OutOfMemoryError so that
        // Kubernetes restarts the pod instead of it limping on; the same as the runtime image's defaults.
        env.add(envVar("JAVA_TOOL_OPTIONS", RUNTIME_JVM_OPTIONS));
        // glibc's per-thread malloc arenas would multiply native memory with the worker threads
        env.add(envVar("MALLOC_ARENA_MAX", "2"));

        PodPlacement placement = PodPlacement.of(r, v.getTolerations(), v.getNodeSelector(), config);
        Map<String, String> podLabels = Labels.forVersion(model, v.getName());
        return new DeploymentBuilder()
                .withMetadata(DesiredState.meta(
                        m, DesiredState.versionName(m, v.getName()), Labels.forVersion(model, v.getName())))
                .withNewSpec()
                // an autoscaled version's count is its HorizontalPodAutoscaler's: not in what the operator applies,
                // so that server-side apply neither overwrites it nor, once the operator has let go, resets it
                .withReplicas(DesiredState.autoscaled(v) ? null : DesiredState.replicas(v))
                .withNewSelector()
                .withMatchLabels(Labels.selector(model, v.getName()))
                .endSelector()
                .withStrategy(strategy(gpus))
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(podLabels)
                .addToAnnotations(Labels.CONFIG_HASH, versionConfig.hash())
                .endMetadata()
                .withNewSpec()
                .withNodeSelector(placement.nodeSelector())
                .withTolerations(placement.tolerations())
                .withTopologySpreadConstraints(spreadOverNodes(model, v))
                // A runtime that checks its callers calls the API server (TokenReview, SubjectAccessReview) with its
                // ServiceAccount's token, mounted in its container alone (ApiTokenVolume); one that does not never
                // calls it. A cloud identity (Workload Identity, IRSA,
                // Pod Identity) comes with the ServiceAccount, through its own projected token or the metadata server.
                .withServiceAccountName(serviceAccount(m, config))
                .withAutomountServiceAccountToken(false)
                .withSecurityContext(podSecurityContext())
                .withInitContainers(location.initContainers())
                .addNewContainer()
                .withName("runtime")
                .withImage(image)
                .withImagePullPolicy(pullPolicy)
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .addNewPort()
                .withName("http")
                .withContainerPort(HTTP_PORT)
                .withProtocol("TCP")
                .endPort()
                .addNewPort()
                .withName("management")
                .withContainerPort(MANAGEMENT_PORT)
                .withProtocol("TCP")
                .endPort()
                .withEnv(env)
                .withNewResources()
                .withRequests(placement.requests())
                .withLimits(placement.limits())
                .endResources()
                .withSecurityContext(containerSecurityContext())
                // The probes do no model work and answer on the event loop of the management port (never behind the
                // API port's clients), but a pod whose cores TensorFlow saturates can still answer late: 5 s
                // timeouts, and liveness kills only after a minute of failures.
                // Ready after the load: 10 minutes, or an hour where an example set is read, embedded and indexed
                // first (a million examples take minutes on two cores: docs/development.md, the example search)
                .withStartupProbe(
                        probe("/q/health/ready", 5, hasExamples ? STARTUP_CHECKS_WITH_EXAMPLES : STARTUP_CHECKS))
                .withReadinessProbe(probe("/q/health/ready", 5, 3))
                .withLivenessProbe(probe("/q/health/live", 10, 6))
                .addToVolumeMounts(location.mount())
                .addNewVolumeMount()
                .withName("config")
                .withMountPath(CONFIG_MOUNT)
                .withReadOnly(true)
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("versions")
                .withMountPath(VERSIONS_MOUNT)
                .withReadOnly(true)
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("tmp")
                .withMountPath("/tmp")
                .endVolumeMount()
                .addAllToVolumeMounts(ApiTokenVolume.mounts(m.getSpec().checksCallers()))
                .addAllToVolumeMounts(baselineCredentials.mounts())
                .endContainer()
                .addToVolumes(location.volume())
                .addAllToVolumes(location.extraVolumes())
                .addAllToVolumes(baselineVolumes)
                .addNewVolume()
                .withName("config")
                .withNewConfigMap()
                .withName(cm)
                .endConfigMap()
                .endVolume()
                // optional: without it (deleted by hand, until the operator applies it again) the pods still start
                // and serve their own version; the runtime then forwards nothing
                .addNewVolume()
                .withName("versions")
                .withNewConfigMap()
                .withName(DesiredState.versionsConfigMapName(m))
                .withOptional(true)
                .endConfigMap()
                .endVolume()
                .addNewVolume()
                .withName("tmp")
                .withNewEmptyDir()
                .endEmptyDir()
                .endVolume()
                .addAllToVolumes(ApiTokenVolume.volumes(m.getSpec().checksCallers()))
                .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /**
     * TensorFlow's oneDNN CPU kernels as the model's {@code spec.runtime.oneDnn} asks, or nothing (TensorFlow's choice
     * for the CPU). An environment variable, since TensorFlow reads it once, before the runtime could set anything.
     */
    static Optional<EnvVar> oneDnn(RuntimeSpec runtime) {
        return runtime == null || runtime.getOneDnn() == null
                ? Optional.empty()
                : Optional.of(envVar(ONE_DNN_ENV, runtime.getOneDnn() ? "1" : "0"));
    }

    private static EnvVar envVar(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    /**
     * The "restricted" Pod Security Standard at pod level: non-root (the runtime image's uid 185), the container
     * runtime's default seccomp profile; fsGroup makes emptyDir and PVC model folders readable by that uid.
     */
    public static PodSecurityContext podSecurityContext() {
        return new PodSecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withRunAsUser(RUNTIME_UID)
                .withFsGroup(RUNTIME_UID)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build();
    }

    /**
     * The pods' ServiceAccount: the model's own ({@code storage.serviceAccountName}), else, for a runtime that checks
     * its callers, the one the chart binds to {@code system:auth-delegator}; else the namespace's default.
     */
    static String serviceAccount(ExplainableModel m, OperatorConfig config) {
        if (m.getSpec().getStorage() != null && m.getSpec().getStorage().getServiceAccountName() != null) {
            return m.getSpec().getStorage().getServiceAccountName();
        }
        return m.getSpec().checksCallers() ? config.runtimeServiceAccount() : null;
    }

    /** The model's runtime image if it names one, else the operator's (its GPU image with {@code gpus > 0}). */
    static String image(ExplainableModel m, int gpus, OperatorConfig config) {
        return image(m.getSpec().getRuntime(), gpus, config);
    }

    /** The image {@code runtime} names, else the operator's CPU or GPU runtime image. */
    static String image(RuntimeSpec runtime, int gpus, OperatorConfig config) {
        return runtime != null && runtime.getImage() != null
                ? runtime.getImage()
                : gpus > 0 ? config.runtimeGpuImage() : config.runtimeImage();
    }

    /** The model's image pull policy if it names one, else the operator's. */
    static String pullPolicy(ExplainableModel m, OperatorConfig config) {
        return pullPolicy(m.getSpec().getRuntime(), config);
    }

    /** The pull policy {@code runtime} names, else the operator's. */
    static String pullPolicy(RuntimeSpec runtime, OperatorConfig config) {
        return runtime != null && runtime.getImagePullPolicy() != null
                ? runtime.getImagePullPolicy().name()
                : config.imagePullPolicy();
    }

    /** An HTTP probe on the management port ({@code management}), with a 5 s timeout. */
    /** Startup probe checks, 5 s apart, before the kubelet restarts a runtime that is not Ready: 10 minutes. */
    static final int STARTUP_CHECKS = 120;
    /** The same for a version with an example set: an hour. */
    static final int STARTUP_CHECKS_WITH_EXAMPLES = 720;

    static Probe probe(String path, int periodSeconds, int failureThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet()
                .withPath(path)
                .withPort(new IntOrString("management"))
                .endHttpGet()
                .withPeriodSeconds(periodSeconds)
                .withTimeoutSeconds(5)
                .withFailureThreshold(failureThreshold)
                .build();
    }

    /** The "restricted" Pod Security Standard per container (runtime and model fetcher alike), and a read-only root. */
    public static SecurityContext containerSecurityContext() {
        return new SecurityContextBuilder()
                .withReadOnlyRootFilesystem(true)
                .withAllowPrivilegeEscalation(false)
                .withRunAsNonRoot(true)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .build();
    }

    /**
     * CPU versions surge one pod first, so they never serve with fewer pods than asked for. GPU versions replace a pod
     * at a time instead (maxSurge 0): a surge pod would need a spare GPU, and without one it pends forever and the
     * roll never ends. The price: during a GPU version's roll one pod fewer serves; a one-replica GPU version is
     * unavailable from the old pod's stop until the new one is ready.
     */
    public static DeploymentStrategy strategy(int gpus) {
        return new DeploymentStrategyBuilder()
                .withType("RollingUpdate")
                .withNewRollingUpdate()
                .withMaxSurge(new IntOrString(gpus > 0 ? 0 : 1))
                .withMaxUnavailable(new IntOrString(gpus > 0 ? 1 : 0))
                .endRollingUpdate()
                .build();
    }

    /**
     * A version's pods prefer different nodes, so one node's loss takes at most its share. ScheduleAnyway, not
     * DoNotSchedule: tainted and cordoned nodes count as (empty) topology domains, so a hard constraint would leave
     * pods pending with one worker beside a tainted control-plane node, or while other nodes are cordoned for a
     * drain. pod-template-hash: only pods of the same revision count, so a roll's new pods spread among themselves.
     */
    static TopologySpreadConstraint spreadOverNodes(String model, VersionSpec v) {
        return new TopologySpreadConstraintBuilder()
                .withMaxSkew(1)
                .withTopologyKey("kubernetes.io/hostname")
                .withWhenUnsatisfiable("ScheduleAnyway")
                .withNewLabelSelector()
                .withMatchLabels(Labels.selector(model, v.getName()))
                .endLabelSelector()
                .withMatchLabelKeys("pod-template-hash")
                .build();
    }
}
