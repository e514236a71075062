package dev.explainable.serving.operator.dependent;

import static dev.explainable.serving.operator.dependent.DesiredStateTest.CONFIG;
import static dev.explainable.serving.operator.dependent.DesiredStateTest.twoVersions;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;

import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.NetworkSpec;

/** The model's NetworkPolicy: over all its versions' pods, the API port to its namespace and what it allows. */
class DesiredNetworkPolicyTest {

    static String port(NetworkPolicyIngressRule r) {
        return r.getPorts().get(0).getPort().getStrVal();
    }

    @Test
    void byDefaultOnlyPodsOfTheModelsNamespaceReachTheApiPortOfAllItsVersions() {
        NetworkPolicy p = DesiredNetworkPolicy.of(twoVersions(), CONFIG);
        assertThat(p.getMetadata().getName()).isEqualTo("flowers");
        assertThat(p.getMetadata().getNamespace()).isEqualTo("team-a");
        assertThat(p.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getKind()).isEqualTo("ExplainableModel"));
        assertThat(p.getSpec().getPodSelector().getMatchLabels()).isEqualTo(Map.of(Labels.MODEL, "flowers"));
        assertThat(p.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(p.getSpec().getEgress()).isNullOrEmpty();
        NetworkPolicyIngressRule only = p.getSpec().getIngress().get(0);
        assertThat(p.getSpec().getIngress()).hasSize(1);
        assertThat(port(only)).isEqualTo("http");
        assertThat(only.getPorts().get(0).getProtocol()).isEqualTo("TCP");
        // an empty podSelector without a namespaceSelector: every pod of the policy's own namespace, no other
        NetworkPolicyPeer sameNamespace = only.getFrom().get(0);
        assertThat(only.getFrom()).hasSize(1);
        assertThat(sameNamespace.getNamespaceSelector()).isNull();
        assertThat(sameNamespace.getPodSelector().getMatchLabels()).isNullOrEmpty();
        assertThat(sameNamespace.getPodSelector().getMatchExpressions()).isNullOrEmpty();
    }

    @Test
    void theSpecsPeersTheIngressControllerAndTheScrapersAreLetThroughToTheirPortsOnly() {
        ExplainableModel m = twoVersions();
        NetworkPolicyPeer team = new NetworkPolicyPeerBuilder()
                .withNamespaceSelector(new LabelSelectorBuilder()
                        .withMatchLabels(Map.of("team", "risk"))
                        .build())
                .withPodSelector(new LabelSelectorBuilder()
                        .withMatchLabels(Map.of("app", "scorer"))
                        .build())
                .build();
        NetworkSpec network = new NetworkSpec();
        network.setAllowFrom(List.of(team));
        m.getSpec().setNetwork(network);
        NetworkPolicy p = DesiredNetworkPolicy.of(
                m,
                TestConfig.of(
                        "explainable.operator.network-policy.ingress-namespace", "ingress-nginx",
                        "explainable.operator.network-policy.metrics-namespace", "monitoring"));
        assertThat(p.getSpec().getIngress())
                .extracting(DesiredNetworkPolicyTest::port)
                .containsExactly("http", "management");
        NetworkPolicyIngressRule api = p.getSpec().getIngress().get(0);
        assertThat(api.getFrom()).hasSize(3);
        assertThat(api.getFrom().get(1)).isEqualTo(team);
        assertThat(api.getFrom().get(2).getNamespaceSelector().getMatchLabels())
                .isEqualTo(Map.of("kubernetes.io/metadata.name", "ingress-nginx"));
        NetworkPolicyIngressRule metrics = p.getSpec().getIngress().get(1);
        assertThat(metrics.getFrom())
                .singleElement()
                .satisfies(peer -> assertThat(peer.getNamespaceSelector().getMatchLabels())
                        .isEqualTo(Map.of("kubernetes.io/metadata.name", "monitoring")));

        // an allowance removed from the spec is gone from the policy
        m.getSpec().getNetwork().setAllowFrom(List.of());
        assertThat(DesiredNetworkPolicy.of(m, CONFIG)
                        .getSpec()
                        .getIngress()
                        .get(0)
                        .getFrom())
                .hasSize(1);
    }

    @Test
    void theOperatorsPodsReachTheManagementPortWhereTheyReadAttributionAlerts() {
        NetworkPolicy p = DesiredNetworkPolicy.of(
                twoVersions(),
                TestConfig.of(
                        "explainable.operator.network-policy.operator-namespace", "serving-system",
                        "explainable.operator.network-policy.operator-pod-labels",
                                "app.kubernetes.io/name=es,app.kubernetes.io/instance=r1"));
        assertThat(p.getSpec().getIngress())
                .extracting(DesiredNetworkPolicyTest::port)
                .containsExactly("http", "management");
        NetworkPolicyPeer operator = p.getSpec().getIngress().get(1).getFrom().get(0);
        assertThat(p.getSpec().getIngress().get(1).getFrom()).hasSize(1);
        // both selectors in one peer: those pods of that namespace, not every pod there
        assertThat(operator.getNamespaceSelector().getMatchLabels())
                .isEqualTo(Map.of("kubernetes.io/metadata.name", "serving-system"));
        assertThat(operator.getPodSelector().getMatchLabels())
                .isEqualTo(Map.of("app.kubernetes.io/name", "es", "app.kubernetes.io/instance", "r1"));
    }

    @Test
    void turnedOffThereIsNone() {
        assertThat(DesiredState.of(
                        twoVersions(), TestConfig.of("explainable.operator.network-policy.enabled", "false")))
                .noneMatch(o -> o instanceof NetworkPolicy);
        assertThat(DesiredState.of(twoVersions(), CONFIG).get(0)).isInstanceOf(NetworkPolicy.class);
    }
}
