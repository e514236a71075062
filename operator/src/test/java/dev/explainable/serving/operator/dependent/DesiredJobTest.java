package dev.explainable.serving.operator.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplanationJob;
import dev.explainable.serving.operator.api.ExplanationJobSpec;
import dev.explainable.serving.operator.api.StorageSpec;
import dev.explainable.serving.operator.api.VersionSpec;

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
        ExplainableModel m = Models.model("flowers", "v1", v1);
        StorageSpec storage = new StorageSpec();
        StorageSpec.Gcs gcs = new StorageSpec.Gcs();
        StorageSpec.SecretKey key = new StorageSpec.SecretKey();
        key.setName("gcs-key");
        gcs.setCredentialsSecret(key);
        storage.setGcs(gcs);
        m.getSpec().setStorage(storage);
        ExplanationJob j = job(10, null);
        Job job = DesiredJob.of(j, m, DesiredJob.version(m, j), "gs://out/x/p/", TestConfig.of());

        assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
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
        Job job = DesiredJob.of(j, m, DesiredJob.version(m, j), "gs://out/x/p/", TestConfig.of());
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
}
