package dev.explainable.serving.operator.controlplane;

import static dev.explainable.serving.operator.controlplane.OperatorOnControlPlaneTest.TIMEOUT;
import static dev.explainable.serving.operator.controlplane.OperatorOnControlPlaneTest.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import dev.explainable.serving.contract.RuntimeSetting;
import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.NetworkSpec;
import dev.explainable.serving.operator.dependent.Labels;
import dev.explainable.serving.testkit.RetryOnConflict;

/**
 * Who may call a model and reach its pods, on a real API server: {@code spec.auth} defaulted by the CRD and reaching
 * the runtime pods, and the model's NetworkPolicy selecting exactly its pods (all versions, no other model's) and
 * following {@code spec.network.allowFrom} as it is edited.
 */
class CallersAndNetworkOnControlPlaneTest {

    @RegisterExtension
    static final OperatorOnControlPlane cluster = OperatorOnControlPlane.shared(TestConfig.of());

    static KubernetesClient client() {
        return cluster.client();
    }

    static NetworkPolicy policy(String ns, String name) {
        return client().network()
                .v1()
                .networkPolicies()
                .inNamespace(ns)
                .withName(name)
                .get();
    }

    static Set<String> podNames(String ns, Map<String, String> labels) {
        return client().pods().inNamespace(ns).withLabels(labels).list().getItems().stream()
                .map(p -> p.getMetadata().getName())
                .collect(Collectors.toSet());
    }

    static String authMode(Pod p) {
        return p.getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals(RuntimeSetting.AUTH_MODE.env()))
                .findFirst()
                .orElseThrow()
                .getValue();
    }

    @Test
    void theModelsNetworkPolicySelectsExactlyItsPodsAndFollowsItsSpec() {
        String ns = cluster.namespace("network");
        cluster.create(ns, "iris", version("v1", 0), version("v2", 0));
        cluster.create(ns, "other", version("v1", 0));
        cluster.awaitReady(ns, "iris", "2/2");
        cluster.awaitReady(ns, "other", "1/1");

        NetworkPolicy p = policy(ns, "iris");
        assertThat(p).isNotNull();
        assertThat(p.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getName()).isEqualTo("iris"));
        // its selector picks the pods of both versions, and no pod of the other model
        Set<String> selected = podNames(ns, p.getSpec().getPodSelector().getMatchLabels());
        assertThat(selected)
                .hasSize(2)
                .isEqualTo(podNames(ns, Map.of(Labels.MODEL, "iris")))
                .doesNotContainAnyElementsOf(podNames(ns, Map.of(Labels.MODEL, "other")));
        assertThat(p.getSpec().getIngress())
                .singleElement()
                .satisfies(r -> assertThat(r.getFrom()).hasSize(1));

        // an allowance added to the spec reaches the policy; removed, it is gone
        NetworkPolicyPeer scoring = new NetworkPolicyPeerBuilder()
                .withNamespaceSelector(new LabelSelectorBuilder()
                        .withMatchLabels(Map.of("kubernetes.io/metadata.name", "scoring"))
                        .build())
                .build();
        edit(ns, "iris", m -> {
            NetworkSpec network = new NetworkSpec();
            network.setAllowFrom(List.of(scoring));
            m.getSpec().setNetwork(network);
        });
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(
                                policy(ns, "iris").getSpec().getIngress().get(0).getFrom())
                        .containsExactly(
                                new NetworkPolicyPeerBuilder()
                                        .withPodSelector(new LabelSelectorBuilder().build())
                                        .build(),
                                scoring));
        edit(ns, "iris", m -> m.getSpec().getNetwork().setAllowFrom(List.of()));
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(
                                policy(ns, "iris").getSpec().getIngress().get(0).getFrom())
                        .hasSize(1));

        // the model gone, its policy goes with it (owner reference)
        client().resources(ExplainableModel.class)
                .inNamespace(ns)
                .withName("iris")
                .delete();
        await().atMost(TIMEOUT).until(() -> policy(ns, "iris") == null);
        assertThat(policy(ns, "other")).isNotNull();
    }

    @Test
    void callersAreCheckedUnlessTheSpecSaysNone() {
        String ns = cluster.namespace("auth");
        ExplainableModel created = cluster.create(ns, "iris", version("v1", 0));
        // the CRD's default, as kubectl get em shows it
        assertThat(created.getSpec().getAuth()).isEqualTo("kubernetes");
        cluster.awaitReady(ns, "iris", "1/1");
        List<Pod> pods = client().pods()
                .inNamespace(ns)
                .withLabel(Labels.MODEL, "iris")
                .list()
                .getItems();
        assertThat(pods).isNotEmpty().allSatisfy(pod -> {
            assertThat(authMode(pod)).isEqualTo("kubernetes");
            assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("explainable-runtime");
        });

        edit(ns, "iris", m -> m.getSpec().setAuth("none"));
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(client().pods()
                                .inNamespace(ns)
                                .withLabel(Labels.MODEL, "iris")
                                .list()
                                .getItems())
                        .isNotEmpty()
                        .allSatisfy(pod -> assertThat(authMode(pod)).isEqualTo("none")));

        // anything else is refused by the CRD
        ExplainableModel bad = OperatorOnControlPlane.model(ns, "bad", version("v1", 0));
        bad.getSpec().setAuth("anonymous");
        assertThatThrownBy(() -> client().resource(bad).create()).hasMessageContaining("spec.auth");
    }

    static void edit(String ns, String name, Consumer<ExplainableModel> change) {
        RetryOnConflict.edit(
                client().resources(ExplainableModel.class).inNamespace(ns).withName(name), change);
    }
}
