package dev.explainable.serving.operator.dependent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplanationSpec;
import dev.explainable.serving.operator.api.ResourcesSpec;
import dev.explainable.serving.operator.api.RuntimeSpec;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;

/**
 * The Kubernetes objects an {@link ExplainableModel} stands for: pure functions of the resource and the operator
 * configuration, so the reconciler only applies what comes out and deletes what no longer does.
 */
public final class DesiredState {

    /** The runtime's JVM options (also the image's defaults, pom.xml). */
    static final String RUNTIME_JVM_OPTIONS = "-XX:MaxRAMPercentage=40 -XX:+ExitOnOutOfMemoryError "
            + "-Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp";

    public static final String GPU = "nvidia.com/gpu";
    public static final int HTTP_PORT = 8080;
    /**
     * A stopping runtime keeps answering for 5 s while it moves clients to other pods, then finishes in-flight
     * requests for up to 25 s (runtime's quarkus.shutdown.delay and .timeout); plus slack.
     */
    public static final long TERMINATION_GRACE_SECONDS = 35;
    public static final String METADATA_FILE = "explanation_metadata.json";
    public static final String CONFIG_MOUNT = "/etc/explainable";
    /** The user the runtime image runs as. */
    public static final long RUNTIME_UID = 185;

    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private DesiredState() {
    }

    /** Every object the model needs, in apply order (ConfigMaps before the Deployments that mount them). */
    public static List<HasMetadata> of(ExplainableModel m, OperatorConfig config) {
        List<HasMetadata> out = new ArrayList<>();
        for (VersionSpec v : m.getSpec().getVersions()) {
            out.add(configMap(m, v));
        }
        for (VersionSpec v : m.getSpec().getVersions()) {
            out.add(deployment(m, v, config));
            out.add(versionService(m, v));
            if (replicas(v) > 1) {
                out.add(podDisruptionBudget(m, v));
            }
        }
        out.add(modelService(m));
        if (config.ingress().enabled()) {
            out.add(ingress(m, config));
        }
        return out;
    }

    static int replicas(VersionSpec v) {
        return v.getReplicas() == null ? 1 : v.getReplicas();
    }

    static int gpus(VersionSpec v) {
        return v.getResources() == null || v.getResources().getGpus() == null ? 0 : v.getResources().getGpus();
    }

    public static String versionName(ExplainableModel m, String version) {
        return m.getMetadata().getName() + "-" + version;
    }

    public static String configMapName(ExplainableModel m, String version) {
        return versionName(m, version) + "-explain";
    }

    static ObjectMeta meta(ExplainableModel m, String name, Map<String, String> labels) {
        return new ObjectMetaBuilder().withName(name).withNamespace(m.getMetadata().getNamespace())
                .withLabels(labels).withOwnerReferences(owner(m)).build();
    }

    static OwnerReference owner(ExplainableModel m) {
        return new OwnerReferenceBuilder().withApiVersion(m.getApiVersion()).withKind(m.getKind())
                .withName(m.getMetadata().getName()).withUid(m.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    /** The version's effective settings: what the runtime reads, and what the config hash covers. */
    public static Map<String, String> settings(ExplainableModel m, VersionSpec v) {
        ExplanationSpec e = v.getExplanation() == null ? new ExplanationSpec() : v.getExplanation();
        Map<String, String> s = new LinkedHashMap<>();
        s.put("EXPLAIN_MODEL_NAME", m.getMetadata().getName());
        s.put("EXPLAIN_MODEL_VERSION", v.getName());
        s.put("EXPLAIN_METHOD", (e.getMethod() == null ? ExplanationSpec.Method.integratedGradients : e.getMethod())
                .runtimeName());
        s.put("EXPLAIN_INTEGRAL_STEPS", String.valueOf(e.getIntegralSteps() == null ? 50 : e.getIntegralSteps()));
        s.put("EXPLAIN_PATHS", String.valueOf(e.getPaths() == null ? 50 : e.getPaths()));
        s.put("EXPLAIN_MODEL_URI", v.getModelUri());
        return s;
    }

    /** Inline metadata as canonical JSON (sorted keys), or null when the model folder's file is used. */
    public static String metadataJson(VersionSpec v) {
        if (v.getMetadata() == null || v.getMetadata().isNull()) {
            return null;
        }
        try {
            return CANONICAL.writeValueAsString(CANONICAL.treeToValue(v.getMetadata(), Object.class));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("metadata of version " + v.getName() + " is not JSON", e);
        }
    }

    /** Hash of the effective configuration: a change rolls exactly this version's pods. */
    public static String configHash(ExplainableModel m, VersionSpec v) {
        StringBuilder b = new StringBuilder();
        settings(m, v).forEach((k, val) -> b.append(k).append('=').append(val).append('\n'));
        b.append("metadata=").append(metadataJson(v));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ConfigMap configMap(ExplainableModel m, VersionSpec v) {
        Map<String, String> data = new LinkedHashMap<>(settings(m, v));
        String metadata = metadataJson(v);
        if (metadata != null) {
            data.put(METADATA_FILE, metadata);
        }
        return new ConfigMapBuilder()
                .withMetadata(meta(m, configMapName(m, v.getName()), Labels.forVersion(m.getMetadata().getName(), v.getName())))
                .withData(data).build();
    }

    public static Deployment deployment(ExplainableModel m, VersionSpec v, OperatorConfig config) {
        String model = m.getMetadata().getName();
        ResourcesSpec r = v.getResources() == null ? new ResourcesSpec() : v.getResources();
        int gpus = gpus(v);
        RuntimeSpec runtime = m.getSpec().getRuntime();
        String image = runtime != null && runtime.getImage() != null ? runtime.getImage()
                : gpus > 0 ? config.runtimeGpuImage() : config.runtimeImage();
        String pullPolicy = runtime != null && runtime.getImagePullPolicy() != null
                ? runtime.getImagePullPolicy().name() : config.imagePullPolicy();
        ModelLocation location = ModelLocation.of(v.getModelUri(), config.fetcherImage());
        String cm = configMapName(m, v.getName());

        List<EnvVar> env = new ArrayList<>();
        for (String key : settings(m, v).keySet()) {
            if (!key.equals("EXPLAIN_MODEL_URI")) {
                env.add(new EnvVarBuilder().withName(key).withNewValueFrom().withNewConfigMapKeyRef(key, cm, false)
                        .endValueFrom().build());
            }
        }
        env.add(new EnvVarBuilder().withName("EXPLAIN_MODEL_DIR").withValue(location.modelDir()).build());
        if (metadataJson(v) != null) {
            env.add(new EnvVarBuilder().withName("EXPLAIN_METADATA_FILE").withValue(CONFIG_MOUNT + "/" + METADATA_FILE)
                    .build());
        }
        env.add(new EnvVarBuilder().withName("EXPLAIN_EXIT_ON_LOAD_FAILURE").withValue("true").build());
        env.add(new EnvVarBuilder().withName("TF_CPP_MIN_LOG_LEVEL").withValue("2").build());
        // The root filesystem is read-only: TensorFlow's natives unpack into /tmp.
        // Heap 40% of the container (TensorFlow's native memory needs the rest), exit on OutOfMemoryError so that
        // Kubernetes restarts the pod instead of it limping on; the same as the runtime image's defaults.
        env.add(new EnvVarBuilder().withName("JAVA_TOOL_OPTIONS").withValue(RUNTIME_JVM_OPTIONS).build());
        // glibc's per-thread malloc arenas would multiply native memory with the worker threads
        env.add(new EnvVarBuilder().withName("MALLOC_ARENA_MAX").withValue("2").build());

        Map<String, Quantity> requests = new LinkedHashMap<>();
        requests.put("cpu", new Quantity(r.getCpu() != null ? r.getCpu() : config.defaultCpu()));
        requests.put("memory", new Quantity(r.getMemory() != null ? r.getMemory() : config.defaultMemory()));
        Map<String, Quantity> limits = new LinkedHashMap<>();
        limits.put("memory", requests.get("memory"));
        if (gpus > 0) {
            limits.put(GPU, new Quantity(String.valueOf(gpus)));
        }
        List<Toleration> tolerations = new ArrayList<>();
        if (v.getTolerations() != null) {
            tolerations.addAll(v.getTolerations());
        }
        if (gpus > 0) {
            for (Toleration t : config.gpuTolerationList()) {
                if (tolerations.stream().noneMatch(x -> Objects.equals(x.getKey(), t.getKey()))) {
                    tolerations.add(t);
                }
            }
        }
        Map<String, String> podLabels = Labels.forVersion(model, v.getName());
        Map<String, String> nodeSelector = v.getNodeSelector() != null || gpus == 0 || config.gpuNodeSelectorMap().isEmpty()
                ? v.getNodeSelector() : config.gpuNodeSelectorMap();
        return new DeploymentBuilder()
                .withMetadata(meta(m, versionName(m, v.getName()), Labels.forVersion(model, v.getName())))
                .withNewSpec()
                .withReplicas(replicas(v))
                .withNewSelector().withMatchLabels(Labels.selector(model, v.getName())).endSelector()
                .withStrategy(strategy(gpus))
                .withNewTemplate()
                .withNewMetadata().withLabels(podLabels)
                .addToAnnotations(Labels.CONFIG_HASH, configHash(m, v)).endMetadata()
                .withNewSpec()
                .withNodeSelector(nodeSelector)
                .withTolerations(tolerations.isEmpty() ? null : tolerations)
                .withTopologySpreadConstraints(spreadOverNodes(model, v))
                // the runtime never calls the API server
                .withAutomountServiceAccountToken(false)
                .withSecurityContext(podSecurityContext())
                .withInitContainers(location.initContainers())
                .addNewContainer()
                .withName("runtime").withImage(image).withImagePullPolicy(pullPolicy)
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .addNewPort().withName("http").withContainerPort(HTTP_PORT).withProtocol("TCP").endPort()
                .withEnv(env)
                .withNewResources().withRequests(requests).withLimits(limits).endResources()
                .withSecurityContext(containerSecurityContext())
                // The probes do no model work and answer on the event loop, but a pod whose cores TensorFlow saturates
                // can still answer late: 5 s timeouts, and liveness kills only after a minute of failures.
                .withNewStartupProbe().withNewHttpGet().withPath("/q/health/ready").withPort(new IntOrString("http"))
                .endHttpGet().withPeriodSeconds(5).withTimeoutSeconds(5).withFailureThreshold(120).endStartupProbe()
                .withNewReadinessProbe().withNewHttpGet().withPath("/q/health/ready").withPort(new IntOrString("http"))
                .endHttpGet().withPeriodSeconds(5).withTimeoutSeconds(5).withFailureThreshold(3).endReadinessProbe()
                .withNewLivenessProbe().withNewHttpGet().withPath("/q/health/live").withPort(new IntOrString("http"))
                .endHttpGet().withPeriodSeconds(10).withTimeoutSeconds(5).withFailureThreshold(6).endLivenessProbe()
                .addToVolumeMounts(location.mount())
                .addNewVolumeMount().withName("config").withMountPath(CONFIG_MOUNT).withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .endContainer()
                .addToVolumes(location.volume())
                .addNewVolume().withName("config").withNewConfigMap().withName(cm).endConfigMap().endVolume()
                .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /**
     * The "restricted" Pod Security Standard at pod level: non-root (the runtime image's uid 185), the container
     * runtime's default seccomp profile; fsGroup makes emptyDir and PVC model folders readable by that uid.
     */
    public static PodSecurityContext podSecurityContext() {
        return new PodSecurityContextBuilder().withRunAsNonRoot(true).withRunAsUser(RUNTIME_UID)
                .withFsGroup(RUNTIME_UID).withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().build();
    }

    /** The "restricted" Pod Security Standard per container (runtime and model fetcher alike), plus a read-only root. */
    public static SecurityContext containerSecurityContext() {
        return new SecurityContextBuilder().withReadOnlyRootFilesystem(true).withAllowPrivilegeEscalation(false)
                .withRunAsNonRoot(true).withNewCapabilities().withDrop("ALL").endCapabilities().build();
    }

    /**
     * CPU versions surge one pod first, so they never serve with fewer pods than asked for. GPU versions replace a pod
     * at a time instead (maxSurge 0): a surge pod would need a spare GPU, and without one it pends forever and the
     * roll never ends. The price: during a GPU version's roll one pod fewer serves; a one-replica GPU version is
     * unavailable from the old pod's stop until the new one is ready.
     */
    public static DeploymentStrategy strategy(int gpus) {
        return new DeploymentStrategyBuilder().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(new IntOrString(gpus > 0 ? 0 : 1)).withMaxUnavailable(new IntOrString(gpus > 0 ? 1 : 0))
                .endRollingUpdate().build();
    }

    /**
     * A version's pods prefer different nodes, so one node's loss takes at most its share. ScheduleAnyway, not
     * DoNotSchedule: tainted and cordoned nodes count as (empty) topology domains, so a hard constraint would leave
     * pods pending with one worker beside a tainted control-plane node, or while other nodes are cordoned for a
     * drain. pod-template-hash: only pods of the same revision count, so a roll's new pods spread among themselves.
     */
    static TopologySpreadConstraint spreadOverNodes(String model, VersionSpec v) {
        return new TopologySpreadConstraintBuilder().withMaxSkew(1).withTopologyKey("kubernetes.io/hostname")
                .withWhenUnsatisfiable("ScheduleAnyway").withNewLabelSelector()
                .withMatchLabels(Labels.selector(model, v.getName())).endLabelSelector()
                .withMatchLabelKeys("pod-template-hash").build();
    }

    /**
     * Versions with more than one replica: voluntary disruptions (node drains) evict one pod of the version at a time.
     * maxUnavailable 1 rather than minAvailable so it stays right when replicas change. None for one replica: its
     * only pod could never be evicted, and that would block every drain of its node. Unhealthy pods may always be
     * evicted: a crash-looping version must not block drains either.
     */
    public static PodDisruptionBudget podDisruptionBudget(ExplainableModel m, VersionSpec v) {
        String model = m.getMetadata().getName();
        return new PodDisruptionBudgetBuilder()
                .withMetadata(meta(m, versionName(m, v.getName()), Labels.forVersion(model, v.getName())))
                .withNewSpec().withMaxUnavailable(new IntOrString(1))
                .withNewSelector().withMatchLabels(Labels.selector(model, v.getName())).endSelector()
                .withUnhealthyPodEvictionPolicy("AlwaysAllow").endSpec().build();
    }

    public static Service versionService(ExplainableModel m, VersionSpec v) {
        String model = m.getMetadata().getName();
        return service(m, versionName(m, v.getName()), Labels.forVersion(model, v.getName()),
                Labels.selector(model, v.getName()));
    }

    /** Selects the default version's pods; switching the default changes only this selector. */
    public static Service modelService(ExplainableModel m) {
        String model = m.getMetadata().getName();
        return service(m, model, Labels.forModel(model), Labels.selector(model, m.getSpec().getDefaultVersion()));
    }

    private static Service service(ExplainableModel m, String name, Map<String, String> labels,
            Map<String, String> selector) {
        return new ServiceBuilder().withMetadata(meta(m, name, labels))
                .withNewSpec().withType("ClusterIP").withSelector(selector)
                .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("http")).withProtocol("TCP")
                .endPort().endSpec().build();
    }

    /** URL paths of the AI Platform API for the model (the URL's project is the namespace). */
    public static String path(ExplainableModel m, String version, String verb) {
        String base = "/v1/projects/" + m.getMetadata().getNamespace() + "/models/" + m.getMetadata().getName();
        return (version == null ? base : base + "/versions/" + version) + ":" + verb;
    }

    public static Ingress ingress(ExplainableModel m, OperatorConfig config) {
        List<HTTPIngressPath> paths = new ArrayList<>();
        for (String verb : List.of("explain", "predict")) {
            paths.add(exact(path(m, null, verb), m.getMetadata().getName()));
            for (VersionSpec v : m.getSpec().getVersions()) {
                paths.add(exact(path(m, v.getName(), verb), versionName(m, v.getName())));
            }
        }
        return new IngressBuilder().withMetadata(meta(m, m.getMetadata().getName(), Labels.forModel(m.getMetadata().getName())))
                .withNewSpec().withIngressClassName(config.ingress().className().orElse(null))
                .addNewRule().withHost(config.ingress().host().orElse(null)).withNewHttp().withPaths(paths).endHttp().endRule()
                .endSpec().build();
    }

    private static HTTPIngressPath exact(String path, String service) {
        return new HTTPIngressPathBuilder().withPath(path).withPathType("Exact").withNewBackend().withNewService()
                .withName(service).withNewPort().withName("http").endPort().endService().endBackend().build();
    }
}
