package dev.explainable.serving.operator.api;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;

/** Who may reach a model's API port beyond its own namespace's pods: peers as a NetworkPolicy names them. */
public class NetworkSpec {

    @Size(max = 32)
    @JsonPropertyDescription("NetworkPolicy peers (namespaceSelector and/or podSelector, or ipBlock) let through to the"
            + " model's API port, besides the pods of its own namespace. Removing one removes it from the policy.")
    private List<NetworkPolicyPeer> allowFrom = new ArrayList<>();

    public List<NetworkPolicyPeer> getAllowFrom() {
        return allowFrom;
    }

    public void setAllowFrom(List<NetworkPolicyPeer> allowFrom) {
        this.allowFrom = allowFrom;
    }
}
