package dev.explainable.serving.operator.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplanationJob;
import dev.explainable.serving.operator.api.ExplanationJobSpec;
import dev.explainable.serving.operator.api.ExplanationSpec;
import dev.explainable.serving.operator.api.ResourcesSpec;
import dev.explainable.serving.operator.api.StorageSpec;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.api.VertexExplanationParameters;
import dev.explainable.serving.operator.api.VertexExplanationSpec;

class DesiredJobTest {

    static ExplanationJob job(int shards, Integer pods) {
        ExplanationJobSpec spec = new ExplanationJobSpec();
        spec.model = new ExplanationJobSpec.ModelRef();
        spec.model.name = "flowers";
        spec.inputConfig = new ExplanationJobSpec.InputConfig();
        spec.inputConfig.uris = List.of("gs://in/a.csv");
        spec.inputConfig.instancesFormat = "csv";
        spec.outputConfig = new ExplanationJobSpec.OutputConfig();
        spec.outputConfig.outputUriPrefix = "gs://out/x";
        spec.parallelism = new ExplanationJobSpec.Parallelism();
        spec.parallelism.shards = shards;
        spec.parallelism.pods = pods;
        ExplanationJob j = new ExplanationJob("nightly", spec);
        j.getMetadata().setNamespace("team-a");
        j.getMetadata().setUid("uid-j");
        j.getMetadata().setCreationTimestamp("2026-12-06T10:28:43Z");
        return j;
    }

    static String env(Job job, String name) {
        return job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .map(EnvVar::getValue)
                .findFirst()
                .orElse(null);
    }

    @Test
    void outputFolderIsVertexs() {
        assertThat(DesiredJob.outputDirectory(job(1, null)))
                .isEqualTo("gs://out/x/prediction-flowers-2026_12_06T10_28_43_000Z/");
    }

    @Test
    void anIndexedJobOfTheModelsDefaultVersionFetchedAsServingFetchesIt() {
        VersionSpec v1 = Models.version("v1", 0);
        v1.setModelUri("gs://models/flowers/v1");
        v1.setMonitoring(new dev.explainable.serving.operator.api.MonitoringSpec());
        v1.setExplanation(null);
        v1.setExplanationSpec(Models.examples(java.util.List.of("gs://models/flowers/examples.jsonl"), 5));
        ExplainableModel m = Models.model("flowers", "v1", v1);
        StorageSpec storage = new StorageSpec();
        StorageSpec.Gcs gcs = new StorageSpec.Gcs();
        StorageSpec.SecretKey key = new StorageSpec.SecretKey();
        key.setName("gcs-key");
        gcs.setCredentialsSecret(key);
        storage.setGcs(gcs);
        m.getSpec().setStorage(storage);
        ExplanationJob j = job(10, null);
        Job job = DesiredJob.of(j, JobModel.of(j, m, DesiredJob.version(m, j)), "gs://out/x/p/", TestConfig.of());

        assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
        assertThat(env(job, "EXPLAIN_MONITORING_SAMPLE_RATE"))
                .as("a job serves no traffic to monitor")
                .isNull();
        assertThat(env(job, "EXPLAIN_EXAMPLES_URIS"))
                .as("nor searches an example set: example-based explanations are online only")
                .isNull();
        assertThat(job.getSpec().getCompletions()).isEqualTo(10);
        assertThat(job.getSpec().getParallelism()).isEqualTo(4);
        assertThat(job.getSpec().getSuspend()).isFalse();
        assertThat(job.getSpec().getMaxFailedIndexes()).isNull();
        assertThat(job.getMetadata().getOwnerReferences().get(0).getUid()).isEqualTo("uid-j");
        var pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getInitContainers())
                .singleElement()
                .satisfies(c -> assertThat(c.getName()).isEqualTo(ModelLocation.FETCHER));
        assertThat(pod.getVolumes()).extracting(v -> v.getName()).containsExactly("model", "tmp", "gcs-credentials");
        var runtime = pod.getContainers().get(0);
        assertThat(runtime.getVolumeMounts()).extracting(x -> x.getMountPath()).contains(ModelLocation.MOUNT);
        assertThat(runtime.getVolumeMounts()).anyMatch(x -> x.getName().equals("gcs-credentials"));
        assertThat(env(job, "EXPLAIN_MODEL_DIR")).isEqualTo(ModelLocation.FETCHED_DIR);
        assertThat(env(job, "GOOGLE_APPLICATION_CREDENTIALS")).isNotNull();
        assertThat(env(job, "EXPLAIN_BATCH_INSTANCES_FORMAT")).isEqualTo("csv");
        assertThat(env(job, "EXPLAIN_BATCH_OUTPUT_DIRECTORY")).isEqualTo("gs://out/x/p/");
        assertThat(env(job, "EXPLAIN_BATCH_SHARD_COUNT")).isEqualTo("10");
        assertThat(env(job, "EXPLAIN_BATCH_GENERATE_EXPLANATION")).isEqualTo("true");
        assertThat(env(job, "EXPLAIN_MODEL_URI")).isNull();
        assertThat(env(job, "EXPLAIN_BATCH_SHARD_INDEX"))
                .as("the Job's JOB_COMPLETION_INDEX")
                .isNull();
        assertThat(runtime.getSecurityContext()).isEqualTo(DesiredDeployment.containerSecurityContext());
        assertThat(pod.getSecurityContext()).isEqualTo(DesiredDeployment.podSecurityContext());
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    }

    @Test
    void aPvcModelIsMountedAndCancelSuspends() {
        VersionSpec v1 = Models.version("v1", 0);
        VersionSpec v2 = Models.version("v2", 0);
        ExplainableModel m = Models.model("flowers", "v1", v1, v2);
        ExplanationJob j = job(2, 1);
        j.getSpec().model.version = "v2";
        j.getSpec().cancel = true;
        Job job = DesiredJob.of(j, JobModel.of(j, m, DesiredJob.version(m, j)), "gs://out/x/p/", TestConfig.of());
        assertThat(job.getSpec().getSuspend()).isTrue();
        assertThat(job.getSpec().getParallelism()).isEqualTo(1);
        assertThat(job.getSpec().getTemplate().getSpec().getInitContainers()).isEmpty();
        assertThat(job.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getVolumes()
                        .get(0)
                        .getPersistentVolumeClaim()
                        .getClaimName())
                .isEqualTo("models-claim");
        assertThat(env(job, "EXPLAIN_MODEL_VERSION")).isEqualTo("v2");
    }

    static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static VertexExplanationParameters xrai(int steps) {
        VertexExplanationParameters p = new VertexExplanationParameters();
        VertexExplanationParameters.StepCount s = new VertexExplanationParameters.StepCount();
        s.setStepCount(steps);
        p.setXraiAttribution(s);
        return p;
    }

    @Test
    void theJobsExplanationSpecOverridesTheVersionsFieldByField() {
        VersionSpec v1 = Models.withMetadata(
                Models.withMethod(Models.version("v1", 0), ExplanationSpec.Method.sampledShapley, 50),
                "{\"inputs\": {\"x\": {\"input_tensor_name\": \"x:0\"}}}");
        v1.getExplanation().setPaths(7);
        ExplainableModel m = Models.model("flowers", "v1", v1);

        // no override: the version's method, counts and metadata
        ExplanationJob plain = job(1, null);
        JobModel asIs = JobModel.of(plain, m, v1);
        assertThat(asIs.settings())
                .containsEntry("EXPLAIN_METHOD", "sampled-shapley")
                .containsEntry("EXPLAIN_PATHS", "7");
        assertThat(asIs.metadataJson()).contains("x:0");

        // parameters alone: a new method and steps, the version's metadata
        ExplanationJob params = job(1, null);
        params.getSpec().explanationSpec = new VertexExplanationSpec();
        params.getSpec().explanationSpec.setParameters(xrai(20));
        JobModel p = JobModel.of(params, m, v1);
        assertThat(p.settings())
                .containsEntry("EXPLAIN_METHOD", "xrai")
                .containsEntry("EXPLAIN_INTEGRAL_STEPS", "20")
                .containsEntry("EXPLAIN_MODEL_NAME", "flowers")
                .containsEntry("EXPLAIN_MODEL_VERSION", "v1");
        assertThat(p.metadataJson()).isEqualTo(asIs.metadataJson());

        // metadata alone: the version's method and counts, the job's metadata in the job's own ConfigMap
        ExplanationJob meta = job(1, null);
        meta.getSpec().explanationSpec = new VertexExplanationSpec();
        meta.getSpec()
                .explanationSpec
                .setMetadata(json("{\"outputs\": {\"y\": {\"outputTensorName\": \"y\"}}, \"inputs\": {}}"));
        JobModel md = JobModel.of(meta, m, v1);
        assertThat(md.settings()).isEqualTo(asIs.settings());
        assertThat(md.metadataJson()).isEqualTo("{\"inputs\":{},\"outputs\":{\"y\":{\"outputTensorName\":\"y\"}}}");
        ConfigMap cm = DesiredJob.metadataConfigMap(meta, md);
        assertThat(cm.getMetadata().getName()).isEqualTo("nightly-metadata");
        assertThat(cm.getMetadata().getOwnerReferences().get(0).getUid()).isEqualTo("uid-j");
        assertThat(cm.getData()).containsEntry(DesiredConfigMap.METADATA_FILE, md.metadataJson());
        Job job = DesiredJob.of(meta, md, "gs://out/x/p/", TestConfig.of());
        assertThat(job.getSpec().getTemplate().getSpec().getVolumes())
                .filteredOn(v -> v.getName().equals("config"))
                .singleElement()
                .satisfies(v -> assertThat(v.getConfigMap().getName()).isEqualTo("nightly-metadata"));
        assertThat(env(job, "EXPLAIN_METADATA_FILE")).endsWith("/" + DesiredConfigMap.METADATA_FILE);
    }

    @Test
    void aJobsOwnModelUriIsNamedAfterTheJobAndReadWithTheJobsStorage() {
        ExplanationJob j = job(2, null);
        j.getSpec().model = new ExplanationJobSpec.ModelRef();
        j.getSpec().model.modelUri = "s3://models/iris/1";
        StorageSpec storage = new StorageSpec();
        storage.setServiceAccountName("batch-reader");
        j.getSpec().storage = storage;
        ResourcesSpec r = new ResourcesSpec();
        r.setGpus(1);
        j.getSpec().resources = r;
        assertThat(DesiredJob.outputDirectory(j)).isEqualTo("gs://out/x/prediction-nightly-2026_12_06T10_28_43_000Z/");

        JobModel model = JobModel.own(j);
        assertThat(model.settings())
                .containsEntry("EXPLAIN_MODEL_NAME", "nightly")
                .containsEntry("EXPLAIN_METHOD", "integrated-gradients")
                .containsEntry("EXPLAIN_INTEGRAL_STEPS", "50");
        assertThat(model.metadataJson()).as("the model folder's file").isNull();
        assertThat(DesiredJob.metadataConfigMap(j, model)).isNull();

        Job job = DesiredJob.of(j, model, "gs://out/x/p/", TestConfig.of());
        var pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo("batch-reader");
        assertThat(pod.getContainers().get(0).getImage()).isEqualTo("example.org/runtime:1-gpu");
        assertThat(pod.getContainers().get(0).getResources().getLimits()).containsKey(DesiredDeployment.GPU);
        assertThat(pod.getNodeSelector()).containsEntry("nvidia.com/gpu.present", "true");
        assertThat(pod.getTolerations()).anyMatch(t -> "nvidia.com/gpu".equals(t.getKey()));
        assertThat(env(job, "EXPLAIN_METADATA_FILE")).isNull();
        assertThat(env(job, "EXPLAIN_MODEL_DIR")).isEqualTo(ModelLocation.FETCHED_DIR);
    }

    @Test
    void instanceConfigAndBatchSizeBecomeTheBatchEntrysSettings() {
        VersionSpec v1 = Models.version("v1", 0);
        ExplainableModel m = Models.model("flowers", "v1", v1);
        ExplanationJob j = job(1, null);
        j.getSpec().instanceConfig = new ExplanationJobSpec.InstanceConfig();
        j.getSpec().instanceConfig.instanceType = "object";
        j.getSpec().instanceConfig.keyField = "id";
        j.getSpec().instanceConfig.includedFields = List.of("a", "b,c");
        j.getSpec().batchSize = 64;
        Job job = DesiredJob.of(j, JobModel.of(j, m, v1), "gs://out/x/p/", TestConfig.of());
        assertThat(env(job, "EXPLAIN_BATCH_INSTANCE_TYPE")).isEqualTo("object");
        assertThat(env(job, "EXPLAIN_BATCH_KEY_FIELD")).isEqualTo("id");
        assertThat(env(job, "EXPLAIN_BATCH_INCLUDED_FIELDS")).isEqualTo("a,b\\,c");
        assertThat(env(job, "EXPLAIN_BATCH_EXCLUDED_FIELDS")).isNull();
        assertThat(env(job, "EXPLAIN_BATCH_INSTANCES_PER_CALL")).isEqualTo("64");
        assertThat(env(job, "EXPLAIN_LIMITS_MAX_INSTANCES")).isEqualTo("64");

        ExplanationJob small = job(1, null);
        small.getSpec().batchSize = 4;
        Job smallJob = DesiredJob.of(small, JobModel.of(small, m, v1), "gs://out/x/p/", TestConfig.of());
        assertThat(env(smallJob, "EXPLAIN_BATCH_INSTANCES_PER_CALL")).isEqualTo("4");
        assertThat(env(smallJob, "EXPLAIN_LIMITS_MAX_INSTANCES")).isEqualTo("32");
        assertThat(env(smallJob, "EXPLAIN_BATCH_KEY_FIELD")).isNull();
    }

    @Test
    void aModelsOneDnnChoiceReachesItsShardsAndNoChoiceLeavesTensorFlows() {
        VersionSpec v1 = Models.version("v1", 0);
        ExplainableModel m = Models.model("flowers", "v1", v1);
        ExplanationJob j = job(1, null);
        assertThat(env(
                        DesiredJob.of(j, JobModel.of(j, m, v1), "gs://out/x/p/", TestConfig.of()),
                        "TF_ENABLE_ONEDNN_OPTS"))
                .isNull();
        m.getSpec().setRuntime(new dev.explainable.serving.operator.api.RuntimeSpec());
        m.getSpec().getRuntime().setOneDnn(true);
        assertThat(env(
                        DesiredJob.of(j, JobModel.of(j, m, v1), "gs://out/x/p/", TestConfig.of()),
                        "TF_ENABLE_ONEDNN_OPTS"))
                .isEqualTo("1");
    }

    @Test
    void pvcInputAndOutputAreMountedAndReadAsLocalPaths() {
        VersionSpec v1 = Models.version("v1", 0);
        v1.setModelUri("gs://models/flowers/v1");
        ExplainableModel m = Models.model("flowers", "v1", v1);
        ExplanationJob j = job(1, null);
        j.getSpec().inputConfig.uris = List.of("pvc://inputs/day-1/*.csv", "gs://in/b.csv", "pvc://shared/x.csv");
        j.getSpec().outputConfig.outputUriPrefix = "pvc://shared/explained";
        String out = DesiredJob.outputDirectory(j);
        assertThat(out).isEqualTo("pvc://shared/explained/prediction-flowers-2026_12_06T10_28_43_000Z/");
        Job job = DesiredJob.of(j, JobModel.of(j, m, v1), out, TestConfig.of());
        assertThat(env(job, "EXPLAIN_BATCH_INPUT_URIS"))
                .isEqualTo("/mnt/batch/inputs/day-1/*.csv,gs://in/b.csv,/mnt/batch/shared/x.csv");
        assertThat(env(job, "EXPLAIN_BATCH_OUTPUT_DIRECTORY"))
                .isEqualTo("/mnt/batch/shared/explained/prediction-flowers-2026_12_06T10_28_43_000Z/");
        var pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getVolumes())
                .filteredOn(v -> v.getPersistentVolumeClaim() != null)
                .extracting(v -> v.getPersistentVolumeClaim().getClaimName() + ":"
                        + v.getPersistentVolumeClaim().getReadOnly())
                .containsExactly("inputs:true", "shared:false");
        assertThat(pod.getContainers().get(0).getVolumeMounts())
                .filteredOn(x -> x.getMountPath().startsWith("/mnt/batch/"))
                .extracting(x -> x.getMountPath() + ":" + x.getReadOnly())
                .containsExactly("/mnt/batch/inputs:true", "/mnt/batch/shared:false");
    }
}
