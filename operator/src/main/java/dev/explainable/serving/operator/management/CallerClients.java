package dev.explainable.serving.operator.management;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * Kubernetes clients that act as the caller: the API server's address and CA from the operator's own client, the
 * caller's bearer token as the only credential. Built from an empty configuration, so that nothing of the operator's
 * identity (its token file, a kubeconfig, client certificates) can stand in for a caller: the management API holds
 * no rights of its own, and Kubernetes RBAC decides exactly as it does for the caller's kubectl.
 */
public final class CallerClients {

    private final Config base;

    public CallerClients(Config operators) {
        this.base = operators;
    }

    /** A client with {@code token} alone; the caller closes it. */
    public KubernetesClient forToken(String token) {
        Config c = new ConfigBuilder(Config.empty())
                .withMasterUrl(base.getMasterUrl())
                .withCaCertData(base.getCaCertData())
                .withCaCertFile(base.getCaCertFile())
                .withTrustCerts(base.isTrustCerts())
                .withDisableHostnameVerification(base.isDisableHostnameVerification())
                .withOauthToken(token)
                .withRequestTimeout(10_000)
                .withConnectionTimeout(5_000)
                .withRequestRetryBackoffLimit(0)
                .build();
        return new KubernetesClientBuilder().withConfig(c).build();
    }
}
