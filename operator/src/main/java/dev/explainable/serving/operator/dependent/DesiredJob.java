package dev.explainable.serving.operator.dependent;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.KeyToPathBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRuleBuilder;

import dev.explainable.serving.contract.RuntimeSetting;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplanationJob;
import dev.explainable.serving.operator.api.ExplanationJobSpec;
import dev.explainable.serving.operator.api.StorageSpec;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.config.OperatorConfig;

/**
 * An {@link ExplanationJob}'s Kubernetes Job: one Indexed Job, an index per shard, each running the runtime image's
 * batch entry ({@code java -jar /deployments/quarkus-run.jar batch}) with the model version's settings, its model
 * fetched or mounted as serving does ({@link ModelLocation}), hardened as serving pods are ({@link DesiredDeployment}).
 */
public final class DesiredJob {

    /** The label naming the ExplanationJob on its Job and pods (the operator's informers select on it). */
    public static final String JOB_LABEL = "serving.explainable.dev/explanation-job";
    /** The runtime container's name (the pod failure policy's exit codes are its). */
    public static final String CONTAINER = "runtime";
    /** Retries of one shard (exit code 1: a whole-shard failure that may pass, as a storage outage). */
    public static final int BACKOFF_LIMIT_PER_INDEX = 2;
    /** The batch entry's exit codes that no retry mends: bad settings (2), a model that does not load (3). */
    public static final List<Integer> NOT_RETRIED = List.of(2, 3);

    /** The runtime's explain.limits.max-instances default, which a larger batchSize raises. */
    static final int DEFAULT_MAX_INSTANCES = 32;

    static final List<String> COMMAND = List.of("java", "-jar", "/deployments/quarkus-run.jar", "batch");

    private static final DateTimeFormatter FOLDER_TIME =
            DateTimeFormatter.ofPattern("yyyy_MM_dd'T'HH_mm_ss_SSS'Z'").withZone(ZoneOffset.UTC);

    private DesiredJob() {}

    /** The model's version the job runs: {@code spec.model.version}, else the model's default; null if none. */
    public static VersionSpec version(ExplainableModel m, ExplanationJob job) {
        String name = job.getSpec().model.version != null
                ? job.getSpec().model.version
                : m.getSpec().getDefaultVersion();
        return m.getSpec().getVersions().stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElse(null);
    }

    /**
     * The job's output folder, as Vertex names it: {@code <outputUriPrefix>/prediction-<model>-<creation time as
     * YYYY_MM_DDThh_mm_ss_sssZ>/}. Computed once (the status keeps it).
     */
    public static String outputDirectory(ExplanationJob job) {
        String prefix = job.getSpec().outputConfig.outputUriPrefix;
        String model = job.getSpec().ownModel() ? job.getMetadata().getName() : job.getSpec().model.name;
        Instant created = Instant.parse(job.getMetadata().getCreationTimestamp());
        return (prefix.endsWith("/") ? prefix : prefix + "/") + "prediction-" + model + "-"
                + FOLDER_TIME.format(created) + "/";
    }

    public static Map<String, String> labels(ExplanationJob job) {
        Map<String, String> l = new LinkedHashMap<>();
        l.put("app.kubernetes.io/name", "explainable-serving-runtime");
        l.put("app.kubernetes.io/instance", job.getMetadata().getName());
        l.put("app.kubernetes.io/part-of", "explainable-serving");
        l.put("app.kubernetes.io/component", "explanation-job");
        l.put(Labels.MANAGED_BY, Labels.OPERATOR);
        l.put(JOB_LABEL, job.getMetadata().getName());
        return l;
    }

    /** The ConfigMap holding the job's inline metadata, frozen at the job's creation; null when the folder's is used. */
    public static ConfigMap metadataConfigMap(ExplanationJob job, JobModel model) {
        if (model.metadataJson() == null) {
            return null;
        }
        return new ConfigMapBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(metadataConfigMapName(job))
                        .withNamespace(job.getMetadata().getNamespace())
                        .withLabels(labels(job))
                        .withOwnerReferences(owner(job))
                        .build())
                .withData(Map.of(DesiredConfigMap.METADATA_FILE, model.metadataJson()))
                .build();
    }

    public static String metadataConfigMapName(ExplanationJob job) {
        return job.getMetadata().getName() + "-metadata";
    }

    /**
     * @param model what the job runs ({@link JobModel})
     * @param outputDirectory {@link #outputDirectory}, as the status has it
     */
    public static Job of(ExplanationJob job, JobModel model, String outputDirectory, OperatorConfig config) {
        ExplanationJobSpec spec = job.getSpec();
        int gpus = model.gpus();
        String image = DesiredDeployment.image(model.runtime(), gpus, config);
        String pullPolicy = DesiredDeployment.pullPolicy(model.runtime(), config);
        StorageSpec storage = model.storage();
        ModelLocation location = ModelLocation.of(model.modelUri(), storage, config.runtimeImage(), pullPolicy);
        ModelLocation.Credentials credentials = ModelLocation.credentials(storage);

        List<EnvVar> env = new ArrayList<>();
        // the settings as values: a later change of the model leaves the job as it started; a job serves no traffic
        // to monitor (its shards write attribution profiles instead), and searches no example set (example-based
        // explanations are online only: a predictions-only job of such a model reads none)
        model.settings().forEach((key, value) -> {
            if (!key.equals(DesiredConfigMap.MODEL_URI_KEY)
                    && !key.startsWith("EXPLAIN_MONITORING_")
                    && !key.startsWith("EXPLAIN_EXAMPLES_")) {
                env.add(envVar(key, value));
            }
        });
        env.add(envVar(RuntimeSetting.MODEL_DIR.env(), location.modelDir()));
        if (model.metadataJson() != null) {
            env.add(envVar(
                    RuntimeSetting.METADATA_FILE.env(),
                    DesiredDeployment.CONFIG_MOUNT + "/" + DesiredConfigMap.METADATA_FILE));
        }
        if (storage != null) {
            env.addAll(ModelLocation.settings(storage));
        }
        env.addAll(credentials.env());
        JobFiles files = JobFiles.of(spec.inputConfig.uris, outputDirectory);
        env.addAll(batchSettings(spec, files));
        env.add(envVar("TF_CPP_MIN_LOG_LEVEL", "2"));
        DesiredDeployment.oneDnn(model.runtime()).ifPresent(env::add);
        if (config.runtimeJsonLogs()) {
            env.add(envVar("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true"));
        }
        env.add(envVar("JAVA_TOOL_OPTIONS", DesiredDeployment.RUNTIME_JVM_OPTIONS));
        env.add(envVar("MALLOC_ARENA_MAX", "2"));

        // GPU shards go where serving's GPU pods go
        PodPlacement placement = PodPlacement.of(model.resources(), model.tolerations(), model.nodeSelector(), config);

        List<VolumeMount> mounts = new ArrayList<>();
        mounts.add(location.mount());
        mounts.add(
                new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
        Map<String, Volume> volumes = new LinkedHashMap<>();
        volumes.put(location.volume().getName(), location.volume());
        volumes.put(
                "tmp",
                new VolumeBuilder()
                        .withName("tmp")
                        .withNewEmptyDir()
                        .endEmptyDir()
                        .build());
        if (model.metadataJson() != null) {
            // the job's own copy of the metadata (metadataConfigMap), not the model's ConfigMap that may change
            mounts.add(new VolumeMountBuilder()
                    .withName("config")
                    .withMountPath(DesiredDeployment.CONFIG_MOUNT)
                    .withReadOnly(true)
                    .build());
            volumes.put(
                    "config",
                    new VolumeBuilder()
                            .withName("config")
                            .withNewConfigMap()
                            .withName(metadataConfigMapName(job))
                            .withItems(new KeyToPathBuilder()
                                    .withKey(DesiredConfigMap.METADATA_FILE)
                                    .withPath(DesiredConfigMap.METADATA_FILE)
                                    .build())
                            .endConfigMap()
                            .build());
        }
        mounts.addAll(credentials.mounts());
        mounts.addAll(files.mounts());
        files.volumes().forEach(x -> volumes.put(x.getName(), x));
        location.extraVolumes().forEach(x -> volumes.put(x.getName(), x));
        credentials.volumes().forEach(x -> volumes.put(x.getName(), x));

        int shards = spec.shards();
        return new JobBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(job.getMetadata().getName())
                        .withNamespace(job.getMetadata().getNamespace())
                        .withLabels(labels(job))
                        .withOwnerReferences(owner(job))
                        .build())
                .withNewSpec()
                .withCompletionMode("Indexed")
                .withCompletions(shards)
                .withParallelism(spec.pods())
                .withBackoffLimitPerIndex(BACKOFF_LIMIT_PER_INDEX)
                .withSuspend(spec.cancelled())
                .withNewPodFailurePolicy()
                // bad settings, a model that does not load: the same on every retry
                .addToRules(new PodFailurePolicyRuleBuilder()
                        .withAction("FailIndex")
                        .withNewOnExitCodes()
                        .withContainerName(CONTAINER)
                        .withOperator("In")
                        .withValues(NOT_RETRIED)
                        .endOnExitCodes()
                        .build())
                // a pod evicted or preempted is not the shard's fault
                .addToRules(new PodFailurePolicyRuleBuilder()
                        .withAction("Ignore")
                        .addNewOnPodCondition()
                        .withType("DisruptionTarget")
                        .withStatus("True")
                        .endOnPodCondition()
                        .build())
                .endPodFailurePolicy()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(labels(job))
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withNodeSelector(placement.nodeSelector())
                .withTolerations(placement.tolerations())
                .withServiceAccountName(storage == null ? null : storage.getServiceAccountName())
                .withAutomountServiceAccountToken(false)
                .withSecurityContext(DesiredDeployment.podSecurityContext())
                .withInitContainers(location.initContainers())
                .addNewContainer()
                .withName(CONTAINER)
                .withImage(image)
                .withImagePullPolicy(pullPolicy)
                .withCommand(COMMAND)
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withEnv(env)
                .withNewResources()
                .withRequests(placement.requests())
                .withLimits(placement.limits())
                .endResources()
                .withSecurityContext(DesiredDeployment.containerSecurityContext())
                .withVolumeMounts(mounts)
                .endContainer()
                .withVolumes(new ArrayList<>(volumes.values()))
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /** The batch entry's settings: input, instanceConfig, output, shards, explanation or not, batch size. */
    static List<EnvVar> batchSettings(ExplanationJobSpec spec, JobFiles files) {
        List<EnvVar> env = new ArrayList<>();
        env.add(envVar("EXPLAIN_BATCH_INPUT_URIS", String.join(",", files.inputs())));
        env.add(envVar("EXPLAIN_BATCH_INSTANCES_FORMAT", spec.inputConfig.instancesFormat));
        ExplanationJobSpec.InstanceConfig instances = spec.instanceConfig;
        if (instances != null) {
            if (instances.instanceType != null) {
                env.add(envVar("EXPLAIN_BATCH_INSTANCE_TYPE", instances.instanceType));
            }
            if (instances.keyField != null) {
                env.add(envVar("EXPLAIN_BATCH_KEY_FIELD", instances.keyField));
            }
            if (instances.includedFields != null && !instances.includedFields.isEmpty()) {
                env.add(envVar("EXPLAIN_BATCH_INCLUDED_FIELDS", list(instances.includedFields)));
            }
            if (instances.excludedFields != null && !instances.excludedFields.isEmpty()) {
                env.add(envVar("EXPLAIN_BATCH_EXCLUDED_FIELDS", list(instances.excludedFields)));
            }
        }
        env.add(envVar("EXPLAIN_BATCH_OUTPUT_DIRECTORY", files.outputDirectory()));
        env.add(envVar("EXPLAIN_BATCH_SHARD_COUNT", String.valueOf(spec.shards())));
        env.add(envVar("EXPLAIN_BATCH_GENERATE_EXPLANATION", String.valueOf(spec.explains())));
        if (spec.batchSize != null) {
            env.add(envVar("EXPLAIN_BATCH_INSTANCES_PER_CALL", String.valueOf(spec.batchSize)));
            // a call of batchSize instances must pass the runtime's per-request bound
            env.add(envVar(
                    "EXPLAIN_LIMITS_MAX_INSTANCES", String.valueOf(Math.max(spec.batchSize, DEFAULT_MAX_INSTANCES))));
        }
        return env;
    }

    /** A list setting as SmallRye Config reads it: comma-separated, a comma inside an item escaped. */
    private static String list(List<String> items) {
        return String.join(",", items.stream().map(i -> i.replace(",", "\\,")).toList());
    }

    private static List<OwnerReference> owner(ExplanationJob job) {
        return List.of(new OwnerReferenceBuilder()
                .withApiVersion(job.getApiVersion())
                .withKind(job.getKind())
                .withName(job.getMetadata().getName())
                .withUid(job.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build());
    }

    private static EnvVar envVar(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }
}
