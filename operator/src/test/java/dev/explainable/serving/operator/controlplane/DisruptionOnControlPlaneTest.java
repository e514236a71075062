package dev.explainable.serving.operator.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.dependent.DesiredDeployment;
import dev.explainable.serving.operator.dependent.Labels;
import dev.explainable.serving.testkit.RetryOnConflict;

/**
 * Voluntary disruptions and node loss: versions with more than one replica get a PodDisruptionBudget that the real
 * eviction API enforces (one pod at a time), which goes again when the version drops to one replica or is removed;
 * pods spread over nodes, as a preference that still schedules every pod next to a cordoned node. Two schedulable
 * kwok nodes and a cordoned one.
 */
class DisruptionOnControlPlaneTest {

    static final Duration TIMEOUT = Duration.ofSeconds(90);
    static KubernetesClient client;

    /** Its own control plane: exactly two schedulable nodes and a cordoned one. */
    @RegisterExtension
    static final OperatorOnControlPlane cluster = OperatorOnControlPlane.own(TestConfig.of(), cp -> {
        cp.addNode("cpu-node-1", 0);
        cp.addNode("cpu-node-2", 0);
        cp.addNode("cordoned-node", 0);
        client = cp.client(); // cordon's client, before the operator starts
        cordon(true, "cordoned-node");
    });

    static VersionSpec version(String name, int replicas) {
        VersionSpec v = OperatorOnControlPlaneTest.version(name, 0);
        v.setReplicas(replicas);
        return v;
    }

    static void edit(String ns, String name, Consumer<ExplainableModel> change) {
        RetryOnConflict.edit(
                client.resources(ExplainableModel.class).inNamespace(ns).withName(name), change);
    }

    static PodDisruptionBudget pdb(String ns, String name) {
        return client.policy()
                .v1()
                .podDisruptionBudget()
                .inNamespace(ns)
                .withName(name)
                .get();
    }

    static List<Pod> readyPods(String ns, String version) {
        return client.pods().inNamespace(ns).withLabel(Labels.VERSION, version).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> p.getStatus().getConditions() != null
                        && p.getStatus().getConditions().stream()
                                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                .toList();
    }

    static void cordon(boolean unschedulable, String... nodes) {
        for (String node : nodes) {
            // kwok writes the node's status meanwhile: retried on conflict
            RetryOnConflict.edit(client.nodes().withName(node), n -> n.getSpec().setUnschedulable(unschedulable));
        }
    }

    static Set<String> nodes(List<Pod> pods) {
        return pods.stream().map(p -> p.getSpec().getNodeName()).collect(Collectors.toSet());
    }

    @Test
    void versionsWithMoreThanOneReplicaGetABudgetThatAllowsOneEvictionAtATime() {
        String ns = cluster.namespace("budget");
        cluster.create(ns, "m", version("v1", 2), version("v2", 1));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(readyPods(ns, "v1")).hasSize(2);
            assertThat(readyPods(ns, "v2")).hasSize(1);
            // the disruption controller has counted the healthy pods
            PodDisruptionBudget budget = pdb(ns, "m-v1");
            assertThat(budget).isNotNull();
            assertThat(budget.getStatus().getCurrentHealthy()).isEqualTo(2);
            assertThat(budget.getStatus().getDisruptionsAllowed()).isEqualTo(1);
        });
        assertThat(pdb(ns, "m-v2"))
                .as("one replica: no budget, it would block every drain")
                .isNull();
        assertThat(pdb(ns, "m-v1").getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(r -> assertThat(r.getKind()).isEqualTo("ExplainableModel"));

        // a drain of both nodes cordons them, then evicts: the first of v1's pods may go, the second not while the
        // first has no ready replacement (cordoned, it pends: kwok would otherwise replace it at once)
        List<Pod> v1 = readyPods(ns, "v1");
        cordon(true, "cpu-node-1", "cpu-node-2");
        try {
            assertThat(client.pods()
                            .inNamespace(ns)
                            .withName(v1.get(0).getMetadata().getName())
                            .evict())
                    .isTrue();
            assertThat(client.pods()
                            .inNamespace(ns)
                            .withName(v1.get(1).getMetadata().getName())
                            .evict())
                    .as("second eviction refused by the budget (429)")
                    .isFalse();
        } finally {
            cordon(false, "cpu-node-1", "cpu-node-2");
        }
        // uncordoned, the replacement runs and the budget allows one disruption again
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(readyPods(ns, "v1")).hasSize(2);
            assertThat(pdb(ns, "m-v1").getStatus().getDisruptionsAllowed()).isEqualTo(1);
        });

        // one replica: the budget goes; more replicas elsewhere: one comes
        edit(ns, "m", m -> {
            m.getSpec().getVersions().get(0).setReplicas(1);
            m.getSpec().getVersions().get(1).setReplicas(3);
        });
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(pdb(ns, "m-v1")).isNull();
            assertThat(pdb(ns, "m-v2")).isNotNull();
        });
        // recorded just after the delete, which the budget's absence may show first
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(
                                client.v1().events().inNamespace(ns).list().getItems())
                        .anyMatch(e -> "Deleted".equals(e.getReason())
                                && e.getMessage().contains("PodDisruptionBudget m-v1")));
        // a removed version's budget goes with it
        edit(ns, "m", m -> m.getSpec().getVersions().removeIf(v -> v.getName().equals("v2")));
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(pdb(ns, "m-v2")).isNull());
    }

    @Test
    void podsSpreadOverNodesAndStillAllScheduleNextToACordonedNode() {
        String ns = cluster.namespace("spread");
        // three pods, two schedulable nodes: a hard spread constraint (DoNotSchedule) would leave the third pending,
        // because the cordoned node counts as a domain with no pod
        cluster.create(ns, "m", version("v1", 3));
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(readyPods(ns, "v1")).hasSize(3));
        assertThat(nodes(readyPods(ns, "v1"))).containsExactlyInAnyOrder("cpu-node-1", "cpu-node-2");

        // the same Deployment with DoNotSchedule: one pod pends (why the operator asks for ScheduleAnyway)
        ExplainableModel plain = Models.model("hard", "v1", version("v1", 3));
        plain.getMetadata().setNamespace(ns);
        Deployment hard =
                DesiredDeployment.of(plain, plain.getSpec().getVersions().get(0), TestConfig.of());
        hard.getMetadata().setOwnerReferences(List.of());
        hard.getSpec()
                .getTemplate()
                .getSpec()
                .getTopologySpreadConstraints()
                .get(0)
                .setWhenUnsatisfiable("DoNotSchedule");
        client.resource(hard).create();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            List<Pod> pods = client.pods()
                    .inNamespace(ns)
                    .withLabel(Labels.MODEL, "hard")
                    .list()
                    .getItems();
            assertThat(pods).hasSize(3);
            assertThat(pods).filteredOn(p -> p.getSpec().getNodeName() != null).hasSize(2);
            assertThat(pods)
                    .anySatisfy(p -> assertThat(p.getStatus().getConditions()).anySatisfy(c -> {
                        assertThat(c.getReason()).isEqualTo("Unschedulable");
                        assertThat(c.getMessage()).contains("didn't match pod topology spread constraints");
                    }));
        });
    }
}
