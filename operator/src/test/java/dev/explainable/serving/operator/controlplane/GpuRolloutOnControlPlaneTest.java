package dev.explainable.serving.operator.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.dependent.DesiredDeployment;
import dev.explainable.serving.operator.dependent.Labels;
import dev.explainable.serving.testkit.RetryOnConflict;

/**
 * A GPU version rolls on a cluster whose only GPU it already uses: a kwok node with one nvidia.com/gpu. With a surge
 * (what CPU versions keep) the new pod would need a second GPU and pend forever; the same Deployment with the
 * surge strategy is shown stuck first, then the operator's GPU version rolls to completion.
 */
class GpuRolloutOnControlPlaneTest {

    static final Duration TIMEOUT = Duration.ofSeconds(120);

    /** Its own control plane: the test needs the cluster's only GPU to be in use. */
    @RegisterExtension
    static final OperatorOnControlPlane cluster = OperatorOnControlPlane.own(TestConfig.of(), cp -> {
        cp.addNode("gpu-node-1", 1);
        cp.addNode("cpu-node-1", 0);
    });

    static KubernetesClient client;

    @BeforeAll
    static void client() {
        client = cluster.client();
    }

    static List<Pod> livePods(String ns, String key, String value) {
        return client.pods().inNamespace(ns).withLabel(key, value).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .toList();
    }

    static boolean ready(Pod p) {
        return p.getStatus() != null
                && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    @Test
    void gpuVersionRollsWithoutASpareGpu() {
        String ns = "gpu-roll";
        cluster.namespace(ns);
        VersionSpec v1 = OperatorOnControlPlaneTest.version("v1", 1);

        // 1. Why: the version's Deployment with the surge strategy (not owned by a model) never finishes its roll
        ExplainableModel plain = Models.model("surge", "v1", v1);
        plain.getMetadata().setNamespace(ns);
        Deployment surge = DesiredDeployment.of(plain, v1, TestConfig.of());
        surge.getMetadata().setOwnerReferences(List.of());
        surge.getSpec().setStrategy(DesiredDeployment.strategy(0));
        client.resource(surge).create();
        await().atMost(TIMEOUT)
                .until(() -> livePods(ns, Labels.MODEL, "surge").stream()
                        .anyMatch(
                                p -> ready(p) && "gpu-node-1".equals(p.getSpec().getNodeName())));
        // the deployment controller writes its status meanwhile: retried on conflict
        RetryOnConflict.edit(
                client.apps().deployments().inNamespace(ns).withName("surge-v1"),
                d -> d.getSpec().getTemplate().getMetadata().getAnnotations().put(Labels.CONFIG_HASH, "changed"));
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(livePods(ns, Labels.MODEL, "surge"))
                        .anySatisfy(p -> assertThat(p.getStatus().getConditions())
                                .anySatisfy(c -> {
                                    assertThat(c.getType()).isEqualTo("PodScheduled");
                                    assertThat(c.getReason()).isEqualTo("Unschedulable");
                                    assertThat(c.getMessage()).contains("Insufficient nvidia.com/gpu");
                                })));
        // stuck: the old pod keeps the GPU, the new one pends
        assertThat(livePods(ns, Labels.MODEL, "surge")).hasSize(2);
        client.apps().deployments().inNamespace(ns).withName("surge-v1").delete();
        await().atMost(TIMEOUT)
                .until(() -> client.pods()
                        .inNamespace(ns)
                        .withLabel(Labels.MODEL, "surge")
                        .list()
                        .getItems()
                        .isEmpty());

        // 2. The operator's GPU version: maxSurge 0, so the old pod goes first and the new one takes its GPU
        cluster.create(ns, "m", "v1", v1);
        await().atMost(TIMEOUT).untilAsserted(() -> {
            ExplainableModel m = client.resources(ExplainableModel.class)
                    .inNamespace(ns)
                    .withName("m")
                    .get();
            assertThat(m.getStatus()).isNotNull();
            assertThat(m.getStatus().getVersionsReady()).isEqualTo("1/1");
        });
        Pod before = livePods(ns, Labels.MODEL, "m").get(0);
        assertThat(before.getSpec().getNodeName()).isEqualTo("gpu-node-1");
        RetryOnConflict.edit(
                client.resources(ExplainableModel.class).inNamespace(ns).withName("m"),
                x -> Models.withMetadata(x.getSpec().getVersions().get(0), "{\"inputs\": {}, \"outputs\": {}}"));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            Deployment d =
                    client.apps().deployments().inNamespace(ns).withName("m-v1").get();
            // as kubectl rollout status: the new template observed, every replica updated and available, none old
            assertThat(d.getStatus().getObservedGeneration())
                    .isEqualTo(d.getMetadata().getGeneration());
            assertThat(d.getMetadata().getGeneration()).isGreaterThan(1L);
            assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(1);
            assertThat(d.getStatus().getReplicas()).isEqualTo(1);
            assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(1);
            List<Pod> now = livePods(ns, Labels.MODEL, "m");
            assertThat(now).singleElement().satisfies(p -> {
                assertThat(p.getMetadata().getUid())
                        .isNotEqualTo(before.getMetadata().getUid());
                assertThat(p.getSpec().getNodeName()).isEqualTo("gpu-node-1");
                assertThat(ready(p)).isTrue();
                assertThat(p.getMetadata().getAnnotations().get(Labels.CONFIG_HASH))
                        .isNotEqualTo(before.getMetadata().getAnnotations().get(Labels.CONFIG_HASH));
            });
        });
    }
}
