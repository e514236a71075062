package dev.explainable.serving.operator.dependent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.config.OperatorConfig;

/**
 * The model's NetworkPolicy, over the pods of all its versions: ingress to the API port ({@code http}) from pods of
 * the model's own namespace (callers there, and its versions forwarding to each other), from the peers its spec's
 * {@code network.allowFrom} names and from the ingress controller's namespace; to the management port
 * ({@code management}: metrics, attribution alerts) from the metrics scrapers' namespace and the operator's pods only. Nothing else reaches the pods, egress is
 * left alone (the runtime fetches models and calls the API server).
 */
public final class DesiredNetworkPolicy {

    /** The label the API server puts on every namespace, with its name (Kubernetes 1.22 and later). */
    static final String NAMESPACE_NAME = "kubernetes.io/metadata.name";

    private DesiredNetworkPolicy() {}

    public static NetworkPolicy of(ExplainableModel m, OperatorConfig config) {
        String model = m.getMetadata().getName();
        List<NetworkPolicyPeer> callers = new ArrayList<>();
        callers.add(new NetworkPolicyPeerBuilder()
                .withPodSelector(new LabelSelector())
                .build());
        if (m.getSpec().getNetwork() != null) {
            callers.addAll(m.getSpec().getNetwork().getAllowFrom());
        }
        config.networkPolicy().ingressNamespace().ifPresent(ns -> callers.add(namespace(ns)));
        List<NetworkPolicyIngressRule> rules = new ArrayList<>();
        rules.add(rule(callers, "http"));
        List<NetworkPolicyPeer> management = new ArrayList<>();
        config.networkPolicy().metricsNamespace().ifPresent(ns -> management.add(namespace(ns)));
        // the operator reads the attribution alerts there (AlertPolling)
        config.networkPolicy()
                .operatorNamespace()
                .ifPresent(ns -> management.add(new NetworkPolicyPeerBuilder()
                        .withNamespaceSelector(new LabelSelectorBuilder()
                                .withMatchLabels(Map.of(NAMESPACE_NAME, ns))
                                .build())
                        .withPodSelector(new LabelSelectorBuilder()
                                .withMatchLabels(config.networkPolicy().operatorPodLabelMap())
                                .build())
                        .build()));
        if (!management.isEmpty()) {
            rules.add(rule(management, "management"));
        }
        return new NetworkPolicyBuilder()
                .withMetadata(DesiredState.meta(m, model, Labels.forModel(model)))
                .withNewSpec()
                .withPodSelector(new LabelSelectorBuilder()
                        .withMatchLabels(Map.of(Labels.MODEL, model))
                        .build())
                .withPolicyTypes("Ingress")
                .withIngress(rules)
                .endSpec()
                .build();
    }

    private static NetworkPolicyPeer namespace(String name) {
        return new NetworkPolicyPeerBuilder()
                .withNamespaceSelector(new LabelSelectorBuilder()
                        .withMatchLabels(Map.of(NAMESPACE_NAME, name))
                        .build())
                .build();
    }

    private static NetworkPolicyIngressRule rule(List<NetworkPolicyPeer> from, String port) {
        return new NetworkPolicyIngressRuleBuilder()
                .withFrom(from)
                .addNewPort()
                .withPort(new IntOrString(port))
                .withProtocol("TCP")
                .endPort()
                .build();
    }
}
