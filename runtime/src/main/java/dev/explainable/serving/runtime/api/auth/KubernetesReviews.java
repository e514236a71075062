package dev.explainable.serving.runtime.api.auth;

import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.vertx.core.Vertx;

/**
 * The API server's TokenReview and SubjectAccessReview, over fabric8's Vert.x HTTP client on Quarkus' own Vert.x
 * (non-blocking: no thread waits for the API server), with the TLS trust and credentials fabric8's {@link Config}
 * found (in-cluster: the pod's ServiceAccount token and CA; else {@code KUBECONFIG}). Each future fails when the API
 * server cannot be asked (unreachable, an error answer, past the timeout): the caller then fails closed.
 */
final class KubernetesReviews implements AutoCloseable {

    /** A TokenReview's answer: the identity, or null when the API server refused the token. */
    record Authenticated(Identity identity) {}

    /** The API server could not give an answer (its message names no token). */
    static final class UnavailableException extends RuntimeException {
        UnavailableException(String message) {
            super(message, null, false, false);
        }
    }

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final HttpClient http;
    private final URI tokenReviews;
    private final URI accessReviews;
    private final URI selfAccessReviews;
    private final List<String> audiences;

    KubernetesReviews(Vertx vertx, Config config, List<String> audiences) {
        // one try per request: the request's own bound, not fabric8's backoff, decides how long a caller waits
        config.setRequestRetryBackoffLimit(0);
        this.http = new VertxHttpClientFactory(vertx).newBuilder(config).build();
        URI master =
                URI.create(config.getMasterUrl().endsWith("/") ? config.getMasterUrl() : config.getMasterUrl() + "/");
        this.tokenReviews = master.resolve("apis/authentication.k8s.io/v1/tokenreviews");
        this.accessReviews = master.resolve("apis/authorization.k8s.io/v1/subjectaccessreviews");
        this.selfAccessReviews = master.resolve("apis/authorization.k8s.io/v1/selfsubjectaccessreviews");
        this.audiences = List.copyOf(audiences);
    }

    CompletableFuture<Authenticated> authenticate(String token, long timeoutMillis) {
        TokenReview review = new TokenReviewBuilder()
                .withNewSpec()
                .withToken(token)
                .withAudiences(audiences.isEmpty() ? null : audiences)
                .endSpec()
                .build();
        return post(tokenReviews, review, TokenReview.class, timeoutMillis).thenApply(answer -> {
            var status = answer.getStatus();
            if (status == null || !Boolean.TRUE.equals(status.getAuthenticated()) || status.getUser() == null) {
                return new Authenticated(null);
            }
            if (!audiences.isEmpty()) {
                // as kube-rbac-proxy: the token must be for one of ours, whatever an authenticator says
                Set<String> got = new HashSet<>(status.getAudiences() != null ? status.getAudiences() : List.of());
                if (audiences.stream().noneMatch(got::contains)) {
                    return new Authenticated(null);
                }
            }
            UserInfo u = status.getUser();
            return new Authenticated(new Identity(
                    u.getUsername(),
                    u.getUid(),
                    u.getGroups() != null ? List.copyOf(u.getGroups()) : List.of(),
                    u.getExtra() != null ? Map.copyOf(u.getExtra()) : Map.of()));
        });
    }

    /**
     * Whether this runtime's own identity may create TokenReviews and SubjectAccessReviews (SelfSubjectAccessReviews,
     * which every authenticated identity may make): null when it may, else what it lacks.
     */
    CompletableFuture<String> missingReviewRights(long timeoutMillis) {
        CompletableFuture<Boolean> tokens = mayCreate("authentication.k8s.io", "tokenreviews", timeoutMillis);
        CompletableFuture<Boolean> access = mayCreate("authorization.k8s.io", "subjectaccessreviews", timeoutMillis);
        return tokens.thenCombine(
                access,
                (t, a) -> t && a
                        ? null
                        : "this runtime's ServiceAccount may not create "
                                + (t ? "" : "tokenreviews" + (a ? "" : " and "))
                                + (a ? "" : "subjectaccessreviews")
                                + ": bind it to the ClusterRole system:auth-delegator (the chart does for explainable-runtime)");
    }

    private CompletableFuture<Boolean> mayCreate(String group, String resource, long timeoutMillis) {
        SelfSubjectAccessReview review = new SelfSubjectAccessReviewBuilder()
                .withNewSpec()
                .withNewResourceAttributes()
                .withGroup(group)
                .withResource(resource)
                .withVerb("create")
                .endResourceAttributes()
                .endSpec()
                .build();
        return post(selfAccessReviews, review, SelfSubjectAccessReview.class, timeoutMillis)
                .thenApply(answer ->
                        answer.getStatus() != null && answer.getStatus().getAllowed());
    }

    CompletableFuture<Boolean> authorize(
            Identity who, ModelAccess access, String namespace, String model, long timeoutMillis) {
        SubjectAccessReview review = new SubjectAccessReviewBuilder()
                .withNewSpec()
                .withUser(who.username())
                .withUid(who.uid())
                .withGroups(who.groups())
                .withExtra(who.extra().isEmpty() ? null : who.extra())
                .withNewResourceAttributes()
                .withGroup(ModelAccess.GROUP)
                .withResource(ModelAccess.RESOURCE)
                .withSubresource(access.subresource().isEmpty() ? null : access.subresource())
                .withVerb(access.verb())
                .withNamespace(namespace)
                .withName(model)
                .endResourceAttributes()
                .endSpec()
                .build();
        return post(accessReviews, review, SubjectAccessReview.class, timeoutMillis)
                .thenApply(answer ->
                        answer.getStatus() != null && answer.getStatus().getAllowed());
    }

    private <T> CompletableFuture<T> post(URI uri, Object review, Class<T> type, long timeoutMillis) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(review);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(new UnavailableException("cannot write the review"));
        }
        var request = http.newHttpRequestBuilder()
                .uri(uri)
                .post("application/json", body)
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .build();
        CompletableFuture<HttpResponse<byte[]>> sent = http.sendAsync(request, byte[].class);
        return sent.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).handle((response, failure) -> {
            if (failure != null) {
                sent.cancel(true);
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause()
                        : failure;
                throw new UnavailableException(
                        cause instanceof TimeoutException
                                ? "the Kubernetes API server did not answer within " + timeoutMillis + " ms"
                                : "the Kubernetes API server cannot be reached: "
                                        + cause.getClass().getSimpleName());
            }
            if (response.code() != 201 && response.code() != 200) {
                throw new UnavailableException("the Kubernetes API server answered " + response.code());
            }
            try {
                return JSON.readValue(response.body(), type);
            } catch (Exception e) {
                throw new UnavailableException("the Kubernetes API server's answer cannot be read");
            }
        });
    }

    @Override
    public void close() {
        http.close();
    }
}
