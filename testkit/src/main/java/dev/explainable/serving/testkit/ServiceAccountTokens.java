package dev.explainable.serving.testkit;

import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** A ServiceAccount's token from the TokenRequest API, valid for an hour, as tests hand it to callers. */
public final class ServiceAccountTokens {

    private ServiceAccountTokens() {}

    /** A token of {@code sa} in {@code ns}, for {@code audience} (null: the API server's own). */
    public static String request(KubernetesClient client, String ns, String sa, String audience) {
        TokenRequestBuilder request = new TokenRequestBuilder()
                .withNewSpec()
                .withExpirationSeconds(3600L)
                .endSpec();
        if (audience != null) {
            request.editSpec().withAudiences(audience).endSpec();
        }
        return client.serviceAccounts()
                .inNamespace(ns)
                .withName(sa)
                .tokenRequest(request.build())
                .getStatus()
                .getToken();
    }
}
