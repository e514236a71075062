package dev.explainable.serving.operator.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplanationJob;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.dependent.Labels;
import dev.explainable.serving.testkit.ControlPlane;
import dev.explainable.serving.testkit.RetryOnConflict;

/**
 * The operator against a REAL control plane (etcd, kube-apiserver, controller-manager, scheduler) with kwok nodes:
 * two CPU nodes and one node with 2 nvidia.com/gpu (the shared control plane). The CRD installed is the checked-in
 * crds/ file.
 */
class OperatorOnControlPlaneTest {

    static final Duration TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    static final OperatorOnControlPlane cluster = OperatorOnControlPlane.shared(TestConfig.of());

    static KubernetesClient client;

    @BeforeAll
    static void client() {
        client = cluster.client();
    }

    /** Versions tolerate the kwok nodes' taint: a test-harness need, not a product default. */
    static VersionSpec version(String name, int gpus) {
        VersionSpec v = Models.version(name, gpus);
        v.setModelUri("file:///srv/models/" + name); // kwok pods mount nothing; a PVC would need a provisioner
        v.setTolerations(List.of(new TolerationBuilder()
                .withKey(ControlPlane.KWOK_TAINT)
                .withOperator("Exists")
                .withEffect("NoSchedule")
                .build()));
        return v;
    }

    static void edit(String ns, String name, Consumer<ExplainableModel> change) {
        RetryOnConflict.edit(
                client.resources(ExplainableModel.class).inNamespace(ns).withName(name), change);
    }

    static void awaitReady(String ns, String name, String versionsReady) {
        cluster.awaitReady(ns, name, versionsReady);
    }

    static Set<String> names(List<? extends io.fabric8.kubernetes.api.model.HasMetadata> items) {
        return items.stream().map(i -> i.getMetadata().getName()).collect(Collectors.toSet());
    }

    static Map<String, String> podUids(String ns, String model) {
        return client.pods().inNamespace(ns).withLabel(Labels.MODEL, model).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .collect(Collectors.toMap(
                        p -> p.getMetadata().getName(), p -> p.getMetadata().getUid()));
    }

    static Set<String> replicaSets(String ns, String model, String version) {
        return names(client.apps()
                .replicaSets()
                .inNamespace(ns)
                .withLabel(Labels.MODEL, model)
                .withLabel(Labels.VERSION, version)
                .list()
                .getItems());
    }

    @Test
    void createsObjectsWithGpuSchedulingAndReportsReady() {
        String ns = cluster.namespace("create");
        cluster.create(ns, "flowers", "v2", version("v1", 0), version("v2", 1));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(names(client.apps().deployments().inNamespace(ns).list().getItems()))
                    .containsExactlyInAnyOrder("flowers-v1", "flowers-v2");
            assertThat(names(client.services().inNamespace(ns).list().getItems()))
                    .containsExactlyInAnyOrder("flowers", "flowers-v1", "flowers-v2");
            assertThat(names(client.configMaps()
                            .inNamespace(ns)
                            .withLabel(Labels.MODEL, "flowers")
                            .list()
                            .getItems()))
                    .containsExactlyInAnyOrder("flowers-v1-explain", "flowers-v2-explain", "flowers-explain-versions");
        });
        Deployment gpu = client.apps()
                .deployments()
                .inNamespace(ns)
                .withName("flowers-v2")
                .get();
        var podSpec = gpu.getSpec().getTemplate().getSpec();
        assertThat(podSpec.getContainers()
                        .get(0)
                        .getResources()
                        .getLimits()
                        .get("nvidia.com/gpu")
                        .getAmount())
                .isEqualTo("1");
        assertThat(podSpec.getTolerations()).anyMatch(t -> "nvidia.com/gpu".equals(t.getKey()));
        Service model = client.services().inNamespace(ns).withName("flowers").get();
        assertThat(model.getSpec().getSelector()).containsEntry(Labels.VERSION, "v2");

        awaitReady(ns, "flowers", "2/2");
        // the real scheduler put the GPU pod on the GPU node, the CPU pod elsewhere
        Pod gpuPod = client.pods()
                .inNamespace(ns)
                .withLabel(Labels.VERSION, "v2")
                .list()
                .getItems()
                .get(0);
        Pod cpuPod = client.pods()
                .inNamespace(ns)
                .withLabel(Labels.VERSION, "v1")
                .list()
                .getItems()
                .get(0);
        assertThat(gpuPod.getSpec().getNodeName()).isEqualTo("gpu-node-1");
        assertThat(cpuPod.getSpec().getNodeName()).startsWith("cpu-node-");
        ExplainableModel m = cluster.get(ns, "flowers");
        assertThat(m.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getStatus()).isEqualTo("True");
        });
        assertThat(m.getStatus().getUrl())
                .isEqualTo("http://flowers.create.svc/v1/projects/create/models/flowers:explain");
        assertThat(client.v1().events().inNamespace(ns).list().getItems())
                .anyMatch(e -> "Created".equals(e.getReason())
                        && "flowers".equals(e.getInvolvedObject().getName()));
    }

    @Test
    void versionAskingForMoreGpusThanExistIsUnschedulable() {
        String ns = cluster.namespace("gpus");
        cluster.create(ns, "big", "v1", version("v1", 4));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            ExplainableModel m = cluster.get(ns, "big");
            assertThat(m.getStatus()).isNotNull();
            var v = m.getStatus().getVersions().get(0);
            assertThat(v.getState()).isEqualTo("Degraded");
            assertThat(v.getReason()).isEqualTo("Unschedulable");
            assertThat(v.getMessage()).contains("Insufficient nvidia.com/gpu");
            assertThat(m.getStatus().getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("Degraded");
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getReason()).isEqualTo("Unschedulable");
            });
            assertThat(m.getStatus().getVersionsReady()).isEqualTo("0/1");
        });
    }

    @Test
    void switchingTheDefaultVersionRepointsTheServiceWithoutRestartingPods() {
        String ns = cluster.namespace("switch");
        cluster.create(ns, "m", "v1", version("v1", 0), version("v2", 0));
        awaitReady(ns, "m", "2/2");
        Map<String, String> pods = podUids(ns, "m");
        Set<String> rs1 = replicaSets(ns, "m", "v1");
        Set<String> rs2 = replicaSets(ns, "m", "v2");
        edit(ns, "m", m -> m.getSpec().setDefaultVersion("v2"));
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(client.services()
                                .inNamespace(ns)
                                .withName("m")
                                .get()
                                .getSpec()
                                .getSelector())
                        .containsEntry(Labels.VERSION, "v2"));
        awaitReady(ns, "m", "2/2");
        assertThat(podUids(ns, "m")).isEqualTo(pods);
        assertThat(replicaSets(ns, "m", "v1")).isEqualTo(rs1);
        assertThat(replicaSets(ns, "m", "v2")).isEqualTo(rs2);
    }

    @Test
    void editingOneVersionsMetadataRollsOnlyThatVersion() {
        String ns = cluster.namespace("rollout");
        cluster.create(ns, "m", "v1", version("v1", 0), version("v2", 0));
        awaitReady(ns, "m", "2/2");
        Set<String> rs1 = replicaSets(ns, "m", "v1");
        Set<String> rs2 = replicaSets(ns, "m", "v2");
        Map<String, String> v2Pods =
                client.pods().inNamespace(ns).withLabel(Labels.VERSION, "v2").list().getItems().stream()
                        .collect(Collectors.toMap(
                                p -> p.getMetadata().getName(),
                                p -> p.getMetadata().getUid()));
        edit(
                ns,
                "m",
                m -> Models.withMetadata(
                        m.getSpec().getVersions().get(0),
                        "{\"inputs\": {\"x\": {\"input_tensor_name\": \"x:0\"}}, \"outputs\": {\"y\": {\"output_tensor_name\": \"y:0\"}}, \"framework\": \"tensorflow\"}"));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(replicaSets(ns, "m", "v1")).hasSize(rs1.size() + 1).containsAll(rs1);
            ConfigMap cm =
                    client.configMaps().inNamespace(ns).withName("m-v1-explain").get();
            assertThat(cm.getData()).containsKey("explanation_metadata.json");
        });
        awaitReady(ns, "m", "2/2");
        assertThat(replicaSets(ns, "m", "v2")).isEqualTo(rs2);
        assertThat(client.pods().inNamespace(ns).withLabel(Labels.VERSION, "v2").list().getItems().stream()
                        .collect(Collectors.toMap(
                                p -> p.getMetadata().getName(),
                                p -> p.getMetadata().getUid())))
                .isEqualTo(v2Pods);
    }

    @Test
    void removingAVersionDeletesItsObjects() {
        String ns = cluster.namespace("remove");
        cluster.create(ns, "m", "v1", version("v1", 0), version("v2", 0));
        awaitReady(ns, "m", "2/2");
        edit(ns, "m", m -> m.getSpec().getVersions().removeIf(v -> v.getName().equals("v2")));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(names(client.apps().deployments().inNamespace(ns).list().getItems()))
                    .containsExactly("m-v1");
            assertThat(names(client.services().inNamespace(ns).list().getItems()))
                    .containsExactlyInAnyOrder("m", "m-v1");
            assertThat(client.configMaps()
                            .inNamespace(ns)
                            .withName("m-v2-explain")
                            .get())
                    .isNull();
        });
        awaitReady(ns, "m", "1/1");
    }

    @Test
    void invalidResourcesAreRejectedByTheApiServer() {
        String ns = cluster.namespace("invalid");
        assertRejected(ns, m -> m.getSpec().setDefaultVersion("v9"), "defaultVersion must name one of versions[]");
        assertRejected(ns, m -> m.getSpec().getVersions().add(version("v1", 0)), "version names must be unique");
        assertRejected(
                ns, m -> m.getSpec().getVersions().get(0).getExplanation().setIntegralSteps(0), "integralSteps");
        assertRejected(ns, m -> m.getSpec().getVersions().get(0).setName("V_1"), "name");
        assertRejected(ns, m -> m.getSpec().getVersions().get(0).setModelUri("ftp://x"), "modelUri");
        assertRejected(ns, m -> m.getSpec().getVersions().get(0).getResources().setMemory("lots"), "memory");
        // a model may have no versions, but then no defaultVersion either (VersionlessModelOnControlPlaneTest)
        assertRejected(ns, m -> m.getSpec().getVersions().clear(), "a model without versions has no defaultVersion");
        assertRejected(ns, m -> m.getSpec().setDefaultVersion(null), "defaultVersion is required");
        assertThat(client.resources(ExplainableModel.class)
                        .inNamespace(ns)
                        .list()
                        .getItems())
                .isEmpty();
    }

    @Test
    void examplesAreAcceptedByTheApiServer() throws Exception {
        String ns = cluster.namespace("examples");
        try (var files = Files.list(ControlPlane.repoRoot().resolve("examples"))) {
            for (var f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                if (Files.readString(f).contains("\nkind: ExplanationJob")) {
                    ExplanationJob j = client.resources(ExplanationJob.class)
                            .load(Files.newInputStream(f))
                            .item();
                    j.getMetadata().setNamespace(ns);
                    assertThat(client.resource(j)
                                    .dryRun()
                                    .create()
                                    .getMetadata()
                                    .getName())
                            .as(f.toString())
                            .isEqualTo(j.getMetadata().getName());
                    continue;
                }
                ExplainableModel m = client.resources(ExplainableModel.class)
                        .load(Files.newInputStream(f))
                        .item();
                m.getMetadata().setNamespace(ns);
                assertThat(client.resource(m).dryRun().create().getMetadata().getName())
                        .as(f.toString())
                        .isEqualTo(m.getMetadata().getName());
            }
        }
    }

    static void assertRejected(String ns, Consumer<ExplainableModel> breakIt, String message) {
        ExplainableModel m = OperatorOnControlPlane.model(ns, "bad", "v1", version("v1", 0));
        breakIt.accept(m);
        assertThatThrownBy(() -> client.resource(m).create())
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e ->
                        assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
                .hasMessageContaining(message);
    }

    /** The 409 that once failed CI (the operator wrote status between a test's read and write) is retried. */
    @Test
    void editsRetryWhenTheObjectChangedBetweenReadAndWrite() {
        String ns = cluster.namespace("conflicts");
        client.configMaps()
                .inNamespace(ns)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("c")
                        .endMetadata()
                        .addToData("a", "1")
                        .build())
                .create();
        Runnable otherWriter =
                () -> client.configMaps().inNamespace(ns).withName("c").edit(o -> {
                    o.getData().merge("writes", "x", String::concat);
                    return o;
                });
        // a plain edit fails: it sends the resourceVersion it read
        assertThatThrownBy(() -> client.configMaps()
                        .inNamespace(ns)
                        .withName("c")
                        .edit(c -> {
                            otherWriter.run();
                            c.getData().put("a", "2");
                            return c;
                        }))
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(409));

        AtomicInteger attempts = new AtomicInteger();
        ConfigMap edited =
                RetryOnConflict.edit(client.configMaps().inNamespace(ns).withName("c"), c -> {
                    if (attempts.incrementAndGet() == 1) {
                        otherWriter.run();
                    }
                    c.getData().put("a", "3");
                });
        assertThat(attempts).hasValue(2);
        assertThat(edited.getData()).containsEntry("a", "3").containsEntry("writes", "xx");
        // anything but a conflict is not retried
        AtomicInteger missing = new AtomicInteger();
        assertThatThrownBy(() -> RetryOnConflict.edit(
                        client.configMaps().inNamespace(ns).withName("absent"), c -> missing.incrementAndGet()))
                .isInstanceOf(KubernetesClientException.class);
        assertThat(missing).hasValue(0);
    }

    @Test
    void deletingTheResourceGarbageCollectsEverything() {
        String ns = cluster.namespace("gc");
        cluster.create(ns, "m", "v1", version("v1", 0));
        awaitReady(ns, "m", "1/1");
        client.resources(ExplainableModel.class).inNamespace(ns).withName("m").delete();
        // the garbage collector notices a CRD installed moments ago only at its next discovery sync (every 30 s):
        // measured 1 s to 41 s here, depending on how long ago this run installed the CRD
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(client.apps().deployments().inNamespace(ns).list().getItems())
                    .isEmpty();
            assertThat(client.services()
                            .inNamespace(ns)
                            .withLabel(Labels.MODEL, "m")
                            .list()
                            .getItems())
                    .isEmpty();
            assertThat(client.configMaps()
                            .inNamespace(ns)
                            .withLabel(Labels.MODEL, "m")
                            .list()
                            .getItems())
                    .isEmpty();
            assertThat(client.pods().inNamespace(ns).list().getItems()).isEmpty();
        });
    }

    @Test
    void operatorRestartMidWayConvergesToTheSameState() {
        String ns = cluster.namespace("restart");
        cluster.create(ns, "m", "v1", version("v1", 0), version("v2", 0));
        awaitReady(ns, "m", "2/2");
        cluster.stopOperator();
        // changes while no operator runs
        edit(ns, "m", m -> {
            m.getSpec().setDefaultVersion("v3");
            m.getSpec().getVersions().removeIf(v -> v.getName().equals("v1"));
            m.getSpec().getVersions().add(version("v3", 1));
        });
        cluster.startOperator();
        awaitReady(ns, "m", "2/2");
        assertThat(names(client.apps().deployments().inNamespace(ns).list().getItems()))
                .containsExactlyInAnyOrder("m-v2", "m-v3");
        assertThat(client.services()
                        .inNamespace(ns)
                        .withName("m")
                        .get()
                        .getSpec()
                        .getSelector())
                .containsEntry(Labels.VERSION, "v3");
        assertThat(client.configMaps().inNamespace(ns).withName("m-v1-explain").get())
                .isNull();
        // a second restart with nothing changed leaves every object as it is
        Map<String, String> versions = client.apps().deployments().inNamespace(ns).list().getItems().stream()
                .collect(Collectors.toMap(
                        d -> d.getMetadata().getName(), d -> d.getMetadata().getResourceVersion()));
        cluster.stopOperator();
        cluster.startOperator();
        awaitReady(ns, "m", "2/2");
        assertThat(client.apps().deployments().inNamespace(ns).list().getItems().stream()
                        .collect(Collectors.toMap(
                                d -> d.getMetadata().getName(),
                                d -> d.getMetadata().getGeneration())))
                .isEqualTo(Map.of("m-v2", 1L, "m-v3", 1L));
        assertThat(versions).hasSize(2);
        List<ReplicaSet> rs = client.apps().replicaSets().inNamespace(ns).list().getItems();
        assertThat(rs).hasSize(2);
    }
}
