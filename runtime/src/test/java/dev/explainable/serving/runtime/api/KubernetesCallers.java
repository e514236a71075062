package dev.explainable.serving.runtime.api;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import dev.explainable.serving.testkit.AuditedCall;
import dev.explainable.serving.testkit.ControlPlane;
import dev.explainable.serving.testkit.ServiceAccountTokens;

/**
 * A real control plane with the callers of {@code CallerAuthTest}: ServiceAccount {@code caller} in namespace
 * {@code models}, allowed on model {@code iris} through a RoleBinding to the GROUP
 * {@code system:serviceaccounts:models} (not to the user); ServiceAccount {@code stranger} in namespace
 * {@code elsewhere}, bound to nothing. The runtime finds the API server through the {@code kubeconfig} system
 * property (fabric8's stand-in for {@code KUBECONFIG}).
 */
public class KubernetesCallers implements QuarkusTestResourceLifecycleManager {

    static final String NAMESPACE = "models";
    static final String AUDIENCE = "explainable-test";
    static final String ISSUER = "https://kubernetes.default.svc";

    static volatile ControlPlane controlPlane;
    static volatile boolean stopped;

    @Override
    public Map<String, String> start() {
        // a profile of its own (another test class) starts a control plane of its own, stopped again at its end
        stopped = false;
        try {
            controlPlane = ControlPlane.start();
        } catch (Exception e) {
            throw new IllegalStateException("control plane did not start", e);
        }
        KubernetesClient k = controlPlane.client();
        for (String ns : List.of(NAMESPACE, "elsewhere")) {
            k.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(ns)
                            .endMetadata()
                            .build())
                    .create();
        }
        k.serviceAccounts().inNamespace(NAMESPACE).resource(sa("caller")).create();
        k.serviceAccounts().inNamespace("elsewhere").resource(sa("stranger")).create();
        k.rbac()
                .roles()
                .inNamespace(NAMESPACE)
                .resource(new RoleBuilder()
                        .withNewMetadata()
                        .withName("iris-callers")
                        .endMetadata()
                        .withRules(
                                new PolicyRuleBuilder()
                                        .withApiGroups("serving.explainable.dev")
                                        .withResources("explainablemodels/explain", "explainablemodels/predict")
                                        .withResourceNames("iris")
                                        .withVerbs("create")
                                        .build(),
                                new PolicyRuleBuilder()
                                        .withApiGroups("serving.explainable.dev")
                                        .withResources("explainablemodels")
                                        .withResourceNames("iris")
                                        .withVerbs("get")
                                        .build())
                        .build())
                .create();
        k.rbac()
                .roleBindings()
                .inNamespace(NAMESPACE)
                .resource(new RoleBindingBuilder()
                        .withNewMetadata()
                        .withName("iris-callers")
                        .endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "Role", "iris-callers")
                        .addNewSubject()
                        .withApiGroup("rbac.authorization.k8s.io")
                        .withKind("Group")
                        .withName("system:serviceaccounts:" + NAMESPACE)
                        .endSubject()
                        .build())
                .create();
        System.setProperty("kubeconfig", controlPlane.kubeconfig().toString());
        return Map.of(
                "explain.auth.mode", "kubernetes",
                "explain.auth.namespace", NAMESPACE,
                "explain.auth.audiences", AUDIENCE);
    }

    private static io.fabric8.kubernetes.api.model.ServiceAccount sa(String name) {
        return new ServiceAccountBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .build();
    }

    /** A token of {@code sa} (in {@code ns}) for {@code audience}, from the TokenRequest API. */
    static String token(String ns, String sa, String audience) {
        return ServiceAccountTokens.request(controlPlane.client(), ns, sa, audience);
    }

    /**
     * A ServiceAccount token for {@code caller} signed with the control plane's own signing key, expiring at
     * {@code exp}: what TokenRequest would issue, but with an expiry TokenRequest does not allow (under 10 min).
     */
    static String signedToken(Instant exp) throws Exception {
        String uid = controlPlane
                .client()
                .serviceAccounts()
                .inNamespace(NAMESPACE)
                .withName("caller")
                .get()
                .getMetadata()
                .getUid();
        long e = exp.getEpochSecond();
        long iat = e - 3600;
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String claims = "{\"iss\":\"" + ISSUER + "\",\"aud\":[\"" + AUDIENCE + "\"],\"sub\":\"system:serviceaccount:"
                + NAMESPACE + ":caller\",\"iat\":" + iat + ",\"nbf\":" + iat + ",\"exp\":" + e
                + ",\"kubernetes.io\":{\"namespace\":\"" + NAMESPACE + "\",\"serviceaccount\":{\"name\":\"caller\","
                + "\"uid\":\"" + uid + "\"}}}";
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        String pem = Files.readString(controlPlane.work().resolve("sa.key"));
        byte[] der = Base64.getMimeDecoder()
                .decode(pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", ""));
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initSign(key);
        rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64.encodeToString(rs256.sign());
    }

    /** TokenReviews the runtime (the kubeconfig's user, admin) has made so far, from the audit log. */
    static long tokenReviews() throws Exception {
        return controlPlane.auditedCalls("admin").stream()
                .filter(c -> c.resource().equals("tokenreviews") && c.verb().equals("create"))
                .map(AuditedCall::code)
                .count();
    }

    /**
     * A kubeconfig for the control plane as ServiceAccount {@code sa} of {@code ns} (a TokenRequest token for the API
     * server's own audience), for a runtime that runs with that identity instead of the admin's.
     */
    static java.nio.file.Path kubeconfigAs(String ns, String sa) throws java.io.IOException {
        String admin = Files.readString(controlPlane.kubeconfig());
        String token = ServiceAccountTokens.request(controlPlane.client(), ns, sa, null);
        String as = admin.replaceFirst("user: \\{token: [^}]*}", "user: {token: " + token + "}");
        if (as.equals(admin)) {
            throw new IllegalStateException("the control plane's kubeconfig has no token to replace");
        }
        return Files.writeString(controlPlane.work().resolve("kubeconfig-" + ns + "-" + sa), as);
    }

    /** Stops the API server and the rest of the control plane (the runtime's last test). */
    static synchronized void stopControlPlane() {
        if (!stopped) {
            stopped = true;
            controlPlane.close();
        }
    }

    @Override
    public void stop() {
        System.clearProperty("kubeconfig");
        if (controlPlane != null) {
            stopControlPlane();
        }
    }
}
