package dev.explainable.serving.operator.dependent;

import static dev.explainable.serving.operator.dependent.DesiredStateTest.CONFIG;
import static dev.explainable.serving.operator.dependent.DesiredStateTest.find;
import static dev.explainable.serving.operator.dependent.DesiredStateTest.twoVersions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import dev.explainable.serving.contract.RuntimeSetting;
import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplanationSpec;
import dev.explainable.serving.operator.api.StorageSpec;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.config.GpuTolerations;
import dev.explainable.serving.operator.config.OperatorConfig;

/** The runtime's pods: their settings, resources, GPU scheduling, hardening, probes, roll and spread. */
class DesiredDeploymentTest {

    static String env(Container c, String name) {
        return c.getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .map(EnvVar::getValue)
                .findFirst()
                .orElse(null);
    }

    @Test
    void runtimePodsGetTimeToDrainBeforeTheyAreKilled() {
        var pod = DesiredDeployment.of(
                        twoVersions(), twoVersions().getSpec().getVersions().get(0), CONFIG)
                .getSpec()
                .getTemplate()
                .getSpec();
        // the runtime's 5 s shutdown delay plus its 25 s wait for in-flight requests fit in the grace period
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(5L + 25L);
    }

    @Test
    void gpuVersionGetsLimitTolerationAndGpuImageCpuVersionNone() {
        List<HasMetadata> objects = DesiredState.of(twoVersions(), CONFIG);
        PodSpec gpu = find(objects, Deployment.class, "flowers-v2")
                .getSpec()
                .getTemplate()
                .getSpec();
        Container c = gpu.getContainers().get(0);
        assertThat(c.getResources().getLimits()).containsKey("nvidia.com/gpu");
        assertThat(c.getResources().getLimits().get("nvidia.com/gpu").getAmount())
                .isEqualTo("1");
        assertThat(c.getImage()).isEqualTo("example.org/runtime:1-gpu");
        assertThat(gpu.getNodeSelector()).containsEntry("nvidia.com/gpu.present", "true"); // operator default
        assertThat(gpu.getTolerations()).anySatisfy(t -> {
            assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
            assertThat(t.getEffect()).isEqualTo("NoSchedule");
            assertThat(t.getOperator()).isEqualTo("Exists");
        });
        PodSpec cpu = find(objects, Deployment.class, "flowers-v1")
                .getSpec()
                .getTemplate()
                .getSpec();
        assertThat(cpu.getContainers().get(0).getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
        assertThat(cpu.getTolerations()).isNull();
        assertThat(cpu.getNodeSelector()).isNull();
        assertThat(cpu.getContainers().get(0).getImage()).isEqualTo("example.org/runtime:1");
    }

    @Test
    void gpuTolerationsComeFromTheSettingAndAVersionsOwnWins() {
        OperatorConfig custom = TestConfig.of("explainable.operator.gpu-tolerations", """
                [{"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"},
                 {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoExecute"}]""");
        ExplainableModel m = twoVersions();
        VersionSpec v2 = m.getSpec().getVersions().get(1);
        PodSpec pod =
                DesiredDeployment.of(m, v2, custom).getSpec().getTemplate().getSpec();
        assertThat(pod.getTolerations())
                .extracting(t -> t.getKey() + "=" + t.getValue() + ":" + t.getEffect())
                .containsExactly("sku=gpu:NoSchedule", "nvidia.com/gpu=null:NoExecute");
        // the version's own toleration for a key replaces the setting's
        v2.setTolerations(List.of(
                new TolerationBuilder().withKey("sku").withOperator("Exists").build()));
        pod = DesiredDeployment.of(m, v2, custom).getSpec().getTemplate().getSpec();
        assertThat(pod.getTolerations())
                .extracting(t -> t.getKey() + ":" + t.getOperator() + ":" + t.getEffect())
                .containsExactly("sku:Exists:null", "nvidia.com/gpu:Exists:NoExecute");
        // an explicit empty list adds none; CPU versions get none either way
        assertThat(DesiredDeployment.of(
                                twoVersions(),
                                twoVersions().getSpec().getVersions().get(1),
                                TestConfig.of("explainable.operator.gpu-tolerations", "[]"))
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getTolerations())
                .isNull();
        assertThat(DesiredDeployment.of(m, m.getSpec().getVersions().get(0), custom)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getTolerations())
                .isNull();
    }

    @Test
    void invalidGpuTolerationsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> GpuTolerations.parse("{\"key\": \"a\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("JSON list of tolerations");
        assertThatThrownBy(() -> GpuTolerations.parse("[{\"key\": \"a\", \"operator\": \"In\"}]"))
                .hasMessageContaining("operator must be Exists or Equal, not In");
        assertThatThrownBy(() -> GpuTolerations.parse("[{\"key\": \"a\", \"effect\": \"NoRun\"}]"))
                .hasMessageContaining("effect must be one of");
        assertThatThrownBy(() -> GpuTolerations.parse("[{\"operator\": \"Equal\", \"value\": \"x\"}]"))
                .hasMessageContaining("without a key must use operator Exists");
        assertThatThrownBy(() -> GpuTolerations.parse("[{\"key\": \"a\", \"efect\": \"NoSchedule\"}]"))
                .hasMessageContaining("unknown field(s) [efect]");
        assertThat(GpuTolerations.parse("[{\"key\": \"a\", \"operator\": \"Exists\"}]"))
                .hasSize(1);
    }

    /** What the "restricted" Pod Security Standard asks of a container (PodSecurityOnControlPlaneTest: admission). */
    static void assertRestricted(Container c) {
        assertThat(c.getSecurityContext()).as(c.getName()).isNotNull();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation())
                .as(c.getName())
                .isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop())
                .as(c.getName())
                .containsExactly("ALL");
        assertThat(c.getSecurityContext().getCapabilities().getAdd())
                .as(c.getName())
                .isNullOrEmpty();
        assertThat(c.getSecurityContext().getPrivileged()).as(c.getName()).isNotEqualTo(Boolean.TRUE);
        assertThat(c.getSecurityContext().getRunAsNonRoot()).as(c.getName()).isNotEqualTo(Boolean.FALSE);
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem())
                .as(c.getName())
                .isTrue();
        assertThat(c.getResources().getRequests()).as(c.getName()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).as(c.getName()).containsKey("memory");
    }

    @Test
    void podsAndEveryContainerMeetTheRestrictedPodSecurityStandard() {
        VersionSpec http = Models.version("v1", 0);
        http.setModelUri("https://example.org/m/model.tar.gz");
        ExplainableModel m = Models.model("flowers", "v1", http, Models.version("v2", 1));
        for (VersionSpec v : m.getSpec().getVersions()) {
            PodSpec pod =
                    DesiredDeployment.of(m, v, CONFIG).getSpec().getTemplate().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(185L);
            assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
            assertThat(pod.getAutomountServiceAccountToken())
                    .as("no token in every container: the runtime's alone has one (CallerChecksOnThePodTest)")
                    .isFalse();
            assertThat(pod.getHostNetwork()).isNull();
            assertThat(pod.getHostPID()).isNull();
            assertThat(pod.getVolumes())
                    .allSatisfy(vol -> assertThat(vol.getHostPath()).isNull());
            pod.getContainers().forEach(DesiredDeploymentTest::assertRestricted);
            pod.getInitContainers().forEach(DesiredDeploymentTest::assertRestricted);
        }
        PodSpec withFetcher =
                DesiredDeployment.of(m, http, CONFIG).getSpec().getTemplate().getSpec();
        assertThat(withFetcher.getInitContainers()).singleElement().satisfies(c -> {
            assertThat(c.getName()).isEqualTo("fetch-model");
            assertThat(c.getResources().getLimits().get("memory").toString()).isEqualTo("512Mi");
        });
    }

    @Test
    void cpuVersionsSurgeGpuVersionsReplaceOnePodAtATime() {
        ExplainableModel m = twoVersions();
        var cpu = DesiredDeployment.of(m, m.getSpec().getVersions().get(0), CONFIG)
                .getSpec()
                .getStrategy();
        assertThat(cpu.getType()).isEqualTo("RollingUpdate");
        assertThat(cpu.getRollingUpdate().getMaxSurge().getIntVal()).isEqualTo(1);
        assertThat(cpu.getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        // a surge pod of a GPU version would need a spare GPU
        var gpu = DesiredDeployment.of(m, m.getSpec().getVersions().get(1), CONFIG)
                .getSpec()
                .getStrategy();
        assertThat(gpu.getType()).isEqualTo("RollingUpdate");
        assertThat(gpu.getRollingUpdate().getMaxSurge().getIntVal()).isZero();
        assertThat(gpu.getRollingUpdate().getMaxUnavailable().getIntVal()).isEqualTo(1);
    }

    @Test
    void podsPreferDifferentNodesButScheduleAnyway() {
        ExplainableModel m = twoVersions();
        PodSpec pod = DesiredDeployment.of(m, m.getSpec().getVersions().get(0), CONFIG)
                .getSpec()
                .getTemplate()
                .getSpec();
        assertThat(pod.getTopologySpreadConstraints()).singleElement().satisfies(t -> {
            assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
            assertThat(t.getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
            assertThat(t.getMaxSkew()).isEqualTo(1);
            assertThat(t.getLabelSelector().getMatchLabels())
                    .isEqualTo(Map.of(
                            "serving.explainable.dev/model", "flowers", "serving.explainable.dev/version", "v1"));
            assertThat(t.getMatchLabelKeys()).containsExactly("pod-template-hash");
        });
    }

    @Test
    void runtimeIsConfiguredThroughItsExplainSettings() {
        ExplainableModel m = Models.model(
                "flowers",
                "v1",
                Models.withMethod(
                        Models.withMetadata(
                                Models.version("v1", 0),
                                "{\"outputs\": {\"p\": {\"output_tensor_name\": \"y:0\"}}, \"inputs\": {}}"),
                        ExplanationSpec.Method.xrai,
                        30));
        List<HasMetadata> objects = DesiredState.of(m, CONFIG);
        ConfigMap cm = find(objects, ConfigMap.class, "flowers-v1-explain");
        assertThat(cm.getData())
                .containsEntry("EXPLAIN_METHOD", "xrai")
                .containsEntry("EXPLAIN_INTEGRAL_STEPS", "30")
                .containsEntry("EXPLAIN_MODEL_NAME", "flowers")
                .containsEntry("EXPLAIN_MODEL_VERSION", "v1")
                // canonical JSON: sorted keys, so equal metadata gives an equal hash
                .containsEntry(
                        "explanation_metadata.json",
                        "{\"inputs\":{},\"outputs\":{\"p\":{\"output_tensor_name\":\"y:0\"}}}");
        Container c = find(objects, Deployment.class, "flowers-v1")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
        assertThat(env(c, "EXPLAIN_MODEL_DIR")).isEqualTo("/mnt/models/flowers/v1");
        assertThat(env(c, "EXPLAIN_METADATA_FILE")).isEqualTo("/etc/explainable/explanation_metadata.json");
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("EXPLAIN_METHOD");
            assertThat(e.getValueFrom().getConfigMapKeyRef().getName()).isEqualTo("flowers-v1-explain");
        });
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        // every probe on the management port, whose connections the API port's clients cannot take
        assertThat(c.getPorts())
                .anySatisfy(p ->
                        assertThat(p.getName() + ":" + p.getContainerPort()).isEqualTo("management:9000"));
        for (io.fabric8.kubernetes.api.model.Probe probe :
                List.of(c.getStartupProbe(), c.getReadinessProbe(), c.getLivenessProbe())) {
            assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("management");
        }
        // probes that do not flap under load: explicit timeouts (Kubernetes' default is 1 s), a minute before a kill
        assertThat(c.getReadinessProbe().getTimeoutSeconds()).isEqualTo(5);
        assertThat(c.getLivenessProbe().getTimeoutSeconds()).isEqualTo(5);
        assertThat(c.getLivenessProbe().getPeriodSeconds()
                        * c.getLivenessProbe().getFailureThreshold())
                .isEqualTo(60);
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("JAVA_TOOL_OPTIONS");
            assertThat(e.getValue()).contains("-XX:MaxRAMPercentage=40", "-XX:+ExitOnOutOfMemoryError");
        });
        assertThat(c.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("MALLOC_ARENA_MAX"));
    }

    /**
     * Forwarding to other versions: the URL of a version's Service is pinned to the model's namespace, and the model's
     * versions reach every pod through the versions ConfigMap, mounted whole (so that the kubelet refreshes it),
     * optional (a pod starts without it, and forwards nothing).
     */
    @Test
    void everyPodMountsTheModelsVersionsAndForwardsWithinItsNamespace() {
        ExplainableModel m = twoVersions();
        List<HasMetadata> objects = DesiredState.of(m, CONFIG);
        ConfigMap versions = find(objects, ConfigMap.class, "flowers-explain-versions");
        assertThat(versions.getData()).containsOnly(Map.entry("versions", "v1\nv2\n"));
        assertThat(versions.getMetadata().getLabels())
                .containsEntry("serving.explainable.dev/model", "flowers")
                .doesNotContainKey("serving.explainable.dev/version");
        assertThat(versions.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(r -> assertThat(r.getUid()).isEqualTo("uid-1"));
        for (VersionSpec v : m.getSpec().getVersions()) {
            PodSpec pod = find(objects, Deployment.class, "flowers-" + v.getName())
                    .getSpec()
                    .getTemplate()
                    .getSpec();
            Container c = pod.getContainers().get(0);
            assertThat(env(c, "EXPLAIN_ROUTING_VERSION_URL")).isEqualTo("http://flowers-{version}.team-a.svc");
            assertThat(env(c, "EXPLAIN_ROUTING_VERSIONS_FILE")).isEqualTo("/etc/explainable-model/versions");
            assertThat(pod.getVolumes())
                    .filteredOn(vol -> vol.getName().equals("versions"))
                    .singleElement()
                    .satisfies(vol -> {
                        assertThat(vol.getConfigMap().getName()).isEqualTo("flowers-explain-versions");
                        assertThat(vol.getConfigMap().getOptional()).isTrue();
                        assertThat(vol.getConfigMap().getItems()).isNullOrEmpty();
                    });
            assertThat(c.getVolumeMounts())
                    .filteredOn(mount -> mount.getName().equals("versions"))
                    .singleElement()
                    .satisfies(mount -> {
                        assertThat(mount.getMountPath()).isEqualTo("/etc/explainable-model");
                        assertThat(mount.getReadOnly()).isTrue();
                        // a subPath mount is never refreshed by the kubelet
                        assertThat(mount.getSubPath()).isNull();
                    });
        }
    }

    /**
     * Adding or removing a version changes the versions ConfigMap only: the other versions' Deployments, their pod
     * templates (whose hash names their ReplicaSets) and the hash the operator applies them by stay as they were, so
     * no pod of theirs is rolled, and they are not even applied again.
     */
    @Test
    void addingOrRemovingAVersionRollsNoOtherVersion() {
        ExplainableModel before = twoVersions();
        ExplainableModel after = twoVersions();
        after.getSpec().getVersions().add(Models.version("v3", 0));
        for (VersionSpec v : before.getSpec().getVersions()) {
            Deployment was = DesiredDeployment.of(before, v, CONFIG);
            Deployment is = DesiredDeployment.of(after, v, CONFIG);
            assertThat(is.getSpec().getTemplate())
                    .as(v.getName())
                    .isEqualTo(was.getSpec().getTemplate());
            assertThat(AppliedHash.compute(is)).as(v.getName()).isEqualTo(AppliedHash.compute(was));
            assertThat(DesiredConfigMap.configHash(after, v)).isEqualTo(DesiredConfigMap.configHash(before, v));
            assertThat(AppliedHash.compute(DesiredConfigMap.of(after, v)))
                    .isEqualTo(AppliedHash.compute(DesiredConfigMap.of(before, v)));
        }
        assertThat(DesiredConfigMap.forModel(after).getData()).containsEntry("versions", "v1\nv2\nv3\n");
        assertThat(AppliedHash.compute(DesiredConfigMap.forModel(after)))
                .isNotEqualTo(AppliedHash.compute(DesiredConfigMap.forModel(before)));
        // and back: removing v3 leaves v1 and v2 as they were too
        after.getSpec().getVersions().remove(2);
        assertThat(DesiredState.of(after, CONFIG))
                .extracting(AppliedHash::compute)
                .isEqualTo(DesiredState.of(before, CONFIG).stream()
                        .map(AppliedHash::compute)
                        .toList());
    }

    /**
     * The contract lists the settings the operator sets: all of them (the storage ones on the fetcher and, for a
     * monitoring baseline, the runtime, for a model that sets them all), and no other EXPLAIN_ variable (the fetcher's bounds it leaves at their defaults).
     */
    @Test
    void thePodGetsEveryContractSettingAndNoOther() {
        ExplainableModel m = Models.model("flowers", "v1", Models.withMetadata(Models.version("v1", 0), "{}"));
        m.getSpec().getVersions().get(0).setModelUri("s3://models/flowers/1");
        m.getSpec().setStorage(everyStorageSetting());
        dev.explainable.serving.operator.api.MonitoringSpec monitoring =
                new dev.explainable.serving.operator.api.MonitoringSpec();
        monitoring.setWindowSize(500);
        monitoring.setBaselineUri("s3://training/flowers/attribution.profile-*");
        monitoring.setSkewThreshold(0.2);
        monitoring.setDriftThreshold(0.2);
        m.getSpec().getVersions().get(0).setMonitoring(monitoring);
        // and an example set: Vertex's examples with every field
        dev.explainable.serving.operator.api.VertexExplanationSpec vertex =
                Models.examples(List.of("s3://training/flowers/examples-*.jsonl"), 5);
        m.getSpec().getVersions().get(0).setExplanationSpec(vertex);
        PodSpec pod = DesiredDeployment.of(m, m.getSpec().getVersions().get(0), CONFIG)
                .getSpec()
                .getTemplate()
                .getSpec();
        List<String> names = java.util.stream.Stream.concat(
                        pod.getContainers().stream(), pod.getInitContainers().stream())
                .flatMap(c -> c.getEnv().stream())
                .map(EnvVar::getName)
                .filter(n -> n.startsWith("EXPLAIN_"))
                // the storage settings on both containers: the baseline is the runtime's to read
                .distinct()
                .toList();
        assertThat(names)
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(RuntimeSetting.values())
                        .filter(RuntimeSetting::setByOperator)
                        .map(RuntimeSetting::env)
                        .toList())
                .doesNotContain(DesiredConfigMap.MODEL_URI_KEY);
    }

    /** {@link #everyStorageSetting()}, with a Cloud Storage key in the Secret {@code gcs-reader-key}. */
    static StorageSpec everyStorageSettingWithGcsKey() {
        StorageSpec storage = everyStorageSetting();
        StorageSpec.SecretKey key = new StorageSpec.SecretKey();
        key.setName("gcs-reader-key");
        storage.getGcs().setCredentialsSecret(key);
        return storage;
    }

    static StorageSpec everyStorageSetting() {
        StorageSpec storage = new StorageSpec();
        storage.setAnonymous(true);
        storage.setGcs(new StorageSpec.Gcs());
        storage.getGcs().setEndpoint("http://gcs.example:4443");
        storage.setS3(new StorageSpec.S3());
        storage.getS3().setEndpoint("https://minio.example:9000");
        storage.getS3().setPathStyle(true);
        storage.getS3().setRegion("eu-west-1");
        return storage;
    }

    private static Container fetcher(ExplainableModel m) {
        return DesiredDeployment.of(m, m.getSpec().getVersions().get(0), CONFIG)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getInitContainers()
                .get(0);
    }

    private static ExplainableModel modelAt(String uri) {
        ExplainableModel m = Models.model("flowers", "v1", Models.version("v1", 0));
        m.getSpec().getVersions().get(0).setModelUri(uri);
        return m;
    }

    @Test
    void aGcsModelIsFetchedByTheRuntimeImageIntoTheEmptyDir() {
        ExplainableModel m = modelAt("gs://models/flowers/1");
        m.getSpec().setStorage(new StorageSpec());
        m.getSpec().getStorage().setServiceAccountName("model-reader");
        Deployment d = DesiredDeployment.of(m, m.getSpec().getVersions().get(0), CONFIG);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        Container fetch = pod.getInitContainers().get(0);
        assertThat(fetch.getImage()).isEqualTo(CONFIG.runtimeImage());
        assertThat(fetch.getCommand())
                .containsExactly(
                        "java",
                        "-cp",
                        "/deployments/app/*:/deployments/lib/main/*:/deployments/lib/boot/*",
                        "dev.explainable.serving.runtime.service.ModelFetchMain",
                        "gs://models/flowers/1",
                        "/mnt/models/model");
        assertThat(fetch.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
        assertThat(fetch.getVolumeMounts()).anySatisfy(vm -> {
            assertThat(vm.getMountPath()).isEqualTo("/mnt/models");
            assertThat(vm.getReadOnly()).isFalse();
        });
        // Workload Identity: the ServiceAccount, no key; its API token in the runtime container alone
        // (CallerChecksOnThePodTest), none in the fetcher's
        assertThat(pod.getServiceAccountName()).isEqualTo("model-reader");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(fetch.getVolumeMounts()).noneMatch(vm -> vm.getName().equals(ApiTokenVolume.NAME));
        assertThat(fetch.getEnv()).extracting(EnvVar::getName).doesNotContain("GOOGLE_APPLICATION_CREDENTIALS");
        assertThat(pod.getVolumes())
                .extracting(v -> v.getName())
                .containsExactly("model", "config", "versions", "tmp", ApiTokenVolume.NAME);
        Container runtime = pod.getContainers().get(0);
        assertThat(runtime.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo(RuntimeSetting.MODEL_DIR.env());
            assertThat(e.getValue()).isEqualTo("/mnt/models/model");
        });
        assertRestricted(fetch);
    }

    @Test
    void aGcsKeySecretIsMountedIntoTheFetcherOnly() {
        ExplainableModel m = modelAt("gs://models/flowers/1");
        m.getSpec().setStorage(new StorageSpec());
        m.getSpec().getStorage().setGcs(new StorageSpec.Gcs());
        StorageSpec.SecretKey key = new StorageSpec.SecretKey();
        key.setName("gcs-reader-key");
        m.getSpec().getStorage().getGcs().setCredentialsSecret(key);
        PodSpec pod = DesiredDeployment.of(m, m.getSpec().getVersions().get(0), CONFIG)
                .getSpec()
                .getTemplate()
                .getSpec();
        assertThat(pod.getVolumes())
                .filteredOn(v -> v.getSecret() != null)
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.getSecret().getSecretName()).isEqualTo("gcs-reader-key");
                    assertThat(v.getSecret().getItems().get(0).getKey()).isEqualTo("key.json");
                });
        Container fetch = pod.getInitContainers().get(0);
        assertThat(fetch.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("GOOGLE_APPLICATION_CREDENTIALS");
            assertThat(e.getValue()).isEqualTo("/var/run/secrets/explainable/gcs/key.json");
        });
        assertThat(fetch.getVolumeMounts()).anySatisfy(vm -> {
            assertThat(vm.getMountPath()).isEqualTo("/var/run/secrets/explainable/gcs");
            assertThat(vm.getReadOnly()).isTrue();
        });
        // the runtime never sees the key
        assertThat(pod.getContainers().get(0).getVolumeMounts())
                .noneSatisfy(vm -> assertThat(vm.getName()).isEqualTo("gcs-credentials"));
    }

    @Test
    void aMonitoringBaselineIsReadByTheRuntimeWithTheModelsStorageSettingsAndKey() {
        ExplainableModel m = modelAt("gs://models/flowers/1");
        StorageSpec storage = everyStorageSettingWithGcsKey();
        m.getSpec().setStorage(storage);
        dev.explainable.serving.operator.api.MonitoringSpec monitoring =
                new dev.explainable.serving.operator.api.MonitoringSpec();
        monitoring.setBaselineUri("gs://training/prediction-flowers-1/attribution.profile-*");
        m.getSpec().getVersions().get(0).setMonitoring(monitoring);
        PodSpec pod = DesiredDeployment.of(m, m.getSpec().getVersions().get(0), CONFIG)
                .getSpec()
                .getTemplate()
                .getSpec();
        Container runtime = pod.getContainers().get(0);
        assertThat(runtime.getEnv())
                .extracting(EnvVar::getName)
                .contains(
                        RuntimeSetting.STORAGE_ANONYMOUS.env(),
                        RuntimeSetting.STORAGE_GCS_ENDPOINT.env(),
                        "GOOGLE_APPLICATION_CREDENTIALS");
        assertThat(runtime.getVolumeMounts()).anySatisfy(vm -> {
            assertThat(vm.getName()).isEqualTo("gcs-credentials");
            assertThat(vm.getReadOnly()).isTrue();
        });
        // the fetcher's key volume serves both containers: once in the pod
        assertThat(pod.getVolumes()).filteredOn(v -> v.getSecret() != null).hasSize(1);

        // a model on a PVC with a gs:// baseline: the runtime's own key volume
        ExplainableModel onPvc = modelAt("pvc://models/flowers/1");
        onPvc.getSpec().setStorage(storage);
        onPvc.getSpec().getVersions().get(0).setMonitoring(monitoring);
        PodSpec pvcPod = DesiredDeployment.of(
                        onPvc, onPvc.getSpec().getVersions().get(0), CONFIG)
                .getSpec()
                .getTemplate()
                .getSpec();
        assertThat(pvcPod.getInitContainers()).isEmpty();
        assertThat(pvcPod.getVolumes()).filteredOn(v -> v.getSecret() != null).hasSize(1);
        assertThat(pvcPod.getContainers().get(0).getVolumeMounts())
                .anySatisfy(vm -> assertThat(vm.getName()).isEqualTo("gcs-credentials"));
    }

    @Test
    void anExampleSetIsReadByTheRuntimeWithTheModelsStorageSettingsAndKey() {
        ExplainableModel m = modelAt("pvc://models/flowers/1");
        StorageSpec storage = everyStorageSettingWithGcsKey();
        m.getSpec().setStorage(storage);
        PodSpec without = DesiredDeployment.of(m, m.getSpec().getVersions().get(0), CONFIG)
                .getSpec()
                .getTemplate()
                .getSpec();
        assertThat(without.getContainers().get(0).getEnv())
                .extracting(EnvVar::getName)
                .doesNotContain("GOOGLE_APPLICATION_CREDENTIALS");
        dev.explainable.serving.operator.api.VertexExplanationSpec vertex =
                Models.examples(List.of("gs://training/flowers/examples.jsonl"), null);
        m.getSpec().getVersions().get(0).setExplanationSpec(vertex);
        PodSpec pod = DesiredDeployment.of(m, m.getSpec().getVersions().get(0), CONFIG)
                .getSpec()
                .getTemplate()
                .getSpec();
        Container runtime = pod.getContainers().get(0);
        assertThat(runtime.getEnv())
                .extracting(EnvVar::getName)
                .contains(RuntimeSetting.STORAGE_GCS_ENDPOINT.env(), "GOOGLE_APPLICATION_CREDENTIALS");
        // reading, embedding and indexing a large set takes minutes: an hour before the kubelet gives up, not 10 min
        assertThat(runtime.getStartupProbe().getFailureThreshold()
                        * runtime.getStartupProbe().getPeriodSeconds())
                .isEqualTo(3600);
        assertThat(without.getContainers().get(0).getStartupProbe().getFailureThreshold()
                        * without.getContainers().get(0).getStartupProbe().getPeriodSeconds())
                .isEqualTo(600);
        assertThat(runtime.getVolumeMounts())
                .anySatisfy(vm -> assertThat(vm.getName()).isEqualTo("gcs-credentials"));
        assertThat(DesiredConfigMap.settings(m, m.getSpec().getVersions().get(0)))
                .containsEntry(RuntimeSetting.EXAMPLES_URIS.env(), "gs://training/flowers/examples.jsonl");
        // another example set rolls the version's pods (its config hash), which index it before they are Ready
        String before = DesiredConfigMap.configHash(m, m.getSpec().getVersions().get(0));
        vertex.getParameters()
                .getExamples()
                .getExampleGcsSource()
                .getGcsSource()
                .setUris(List.of("gs://training/flowers/examples-v2.jsonl"));
        assertThat(DesiredConfigMap.configHash(m, m.getSpec().getVersions().get(0)))
                .isNotEqualTo(before);
        // a model without storage settings reads its set with the pod's own identity (once a NullPointerException)
        ExplainableModel plain = modelAt("gs://models/flowers/1");
        plain.getSpec().getVersions().get(0).setExplanationSpec(vertex);
        assertThat(DesiredDeployment.of(plain, plain.getSpec().getVersions().get(0), CONFIG)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getEnv())
                .extracting(EnvVar::getName)
                .doesNotContain(RuntimeSetting.STORAGE_GCS_ENDPOINT.env(), "GOOGLE_APPLICATION_CREDENTIALS");
    }

    @Test
    void anS3ModelGetsItsEndpointAndKeysFromTheSecret() {
        ExplainableModel m = modelAt("s3://models/flowers/1");
        StorageSpec storage = everyStorageSetting();
        storage.setAnonymous(null);
        StorageSpec.S3Secret keys = new StorageSpec.S3Secret();
        keys.setName("minio-keys");
        keys.setAccessKeyIdKey("accesskey");
        storage.getS3().setCredentialsSecret(keys);
        m.getSpec().setStorage(storage);
        Container fetch = fetcher(m);
        Map<String, EnvVar> env = new java.util.LinkedHashMap<>();
        fetch.getEnv().forEach(e -> env.put(e.getName(), e));
        assertThat(env.get("EXPLAIN_STORAGE_S3_ENDPOINT").getValue()).isEqualTo("https://minio.example:9000");
        assertThat(env.get("EXPLAIN_STORAGE_S3_PATH_STYLE").getValue()).isEqualTo("true");
        assertThat(env.get("EXPLAIN_STORAGE_S3_REGION").getValue()).isEqualTo("eu-west-1");
        assertThat(env).doesNotContainKey("EXPLAIN_STORAGE_ANONYMOUS");
        assertThat(env.get("AWS_ACCESS_KEY_ID").getValueFrom().getSecretKeyRef().getName())
                .isEqualTo("minio-keys");
        assertThat(env.get("AWS_ACCESS_KEY_ID").getValueFrom().getSecretKeyRef().getKey())
                .isEqualTo("accesskey");
        assertThat(env.get("AWS_SECRET_ACCESS_KEY")
                        .getValueFrom()
                        .getSecretKeyRef()
                        .getKey())
                .isEqualTo("AWS_SECRET_ACCESS_KEY");
        assertThat(fetch.getCommand()).contains("s3://models/flowers/1");
    }

    @Test
    void theStorageSettingsRollThePods() {
        ExplainableModel m = modelAt("s3://models/flowers/1");
        String before = DesiredConfigMap.configHash(m, m.getSpec().getVersions().get(0));
        m.getSpec().setStorage(everyStorageSetting());
        assertThat(DesiredConfigMap.configHash(m, m.getSpec().getVersions().get(0)))
                .isNotEqualTo(before);
    }

    @Test
    void modelLocationPerScheme() {
        ModelLocation pvc = ModelLocation.of("pvc://models-claim/flowers/1", "runtime");
        assertThat(pvc.volume().getPersistentVolumeClaim().getClaimName()).isEqualTo("models-claim");
        assertThat(pvc.volume().getPersistentVolumeClaim().getReadOnly()).isTrue();
        assertThat(pvc.modelDir()).isEqualTo("/mnt/models/flowers/1");
        assertThat(pvc.initContainers()).isEmpty();
        for (String uri : List.of("https://example.org/m/model.tar.gz", "gs://bucket/m", "s3://bucket/m")) {
            ModelLocation fetched = ModelLocation.of(uri, "runtime");
            assertThat(fetched.volume().getEmptyDir()).isNotNull();
            assertThat(fetched.modelDir()).isEqualTo("/mnt/models/model");
            assertThat(fetched.initContainers()).singleElement().satisfies(c -> {
                assertThat(c.getImage()).isEqualTo("runtime");
                assertThat(c.getCommand()).endsWith(uri, "/mnt/models/model");
            });
        }
        ModelLocation file = ModelLocation.of("file:///srv/models/flowers", "runtime");
        assertThat(file.volume().getHostPath().getPath()).isEqualTo("/srv/models/flowers");
        assertThatThrownBy(() -> ModelLocation.of("ftp://host/m", "runtime")).hasMessageContaining("unsupported");
    }

    @Test
    void aModelsOneDnnChoiceBecomesTensorFlowsSwitchAndNoChoiceLeavesTensorFlows() {
        ExplainableModel m = twoVersions();
        VersionSpec v = m.getSpec().getVersions().get(0);
        java.util.function.Supplier<String> oneDnn = () -> env(
                DesiredDeployment.of(m, v, CONFIG)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0),
                "TF_ENABLE_ONEDNN_OPTS");
        assertThat(oneDnn.get()).isNull();
        m.getSpec().setRuntime(new dev.explainable.serving.operator.api.RuntimeSpec());
        assertThat(oneDnn.get()).isNull();
        m.getSpec().getRuntime().setOneDnn(true);
        assertThat(oneDnn.get()).isEqualTo("1");
        m.getSpec().getRuntime().setOneDnn(false);
        assertThat(oneDnn.get()).isEqualTo("0");
    }

    @Test
    void runtimePodsLogJsonLinesOnlyWhenTheOperatorIsSetSo() {
        ExplainableModel m = twoVersions();
        VersionSpec v = m.getSpec().getVersions().get(0);
        java.util.function.Function<OperatorConfig, List<String>> envNames = config ->
                DesiredDeployment.of(m, v, config)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getEnv()
                        .stream()
                        .map(e -> e.getName() + "=" + e.getValue())
                        .toList();
        assertThat(envNames.apply(CONFIG)).noneMatch(e -> e.startsWith("QUARKUS_LOG_CONSOLE_JSON_ENABLED"));
        assertThat(envNames.apply(TestConfig.of("explainable.operator.runtime-json-logs", "true")))
                .contains("QUARKUS_LOG_CONSOLE_JSON_ENABLED=true");
        // traces only with an endpoint: the runtime's SDK stays off without one
        assertThat(envNames.apply(CONFIG)).noneMatch(e -> e.startsWith("QUARKUS_OTEL_"));
        assertThat(envNames.apply(TestConfig.of(
                        "explainable.operator.runtime-otlp-endpoint", "http://collector.observability:4317")))
                .contains(
                        "QUARKUS_OTEL_SDK_DISABLED=false",
                        "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT=http://collector.observability:4317");
    }
}
