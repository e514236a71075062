package dev.explainable.serving.runtime.api.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.client.Config;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import dev.explainable.serving.runtime.api.errors.Failure;
import dev.explainable.serving.runtime.api.http.HttpGuards;
import dev.explainable.serving.runtime.config.ExplainConfig;

/**
 * {@code explain.auth.mode=kubernetes}: every request on the API port but the page's static files is authenticated
 * (TokenReview) and authorized (SubjectAccessReview on the model, {@link ModelAccess}) before its body is read and
 * before admission, on the event loop, holding no thread while the API server answers. No token, a malformed header or
 * a refused token: 401 with {@code WWW-Authenticate: Bearer}; denied: 403; the API server unreachable, erring or
 * slower than {@code explain.auth.timeout} (never past the request's deadline): 503 with {@code Retry-After}, never a
 * pass. Identities and decisions are cached by the token's SHA-256 (kube-rbac-proxy's times by default); a token is
 * never logged, echoed or kept. Counted in {@code explainable_auth_total} by {@code model} and {@code decision}.
 */
@ApplicationScoped
public class CallerAuth {

    private static final Logger LOG = Logger.getLogger(CallerAuth.class);
    /** After HttpGuards' guard (its bounds on requests in progress and the deadline), before the REST layer. */
    static final int ORDER = Integer.MIN_VALUE + 2;

    static final String NAMESPACE_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

    private static final long WARNING_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** A cached authentication: the identity, or null for a refused token. */
    private record Verified(Identity identity) {}

    private final boolean enabled;
    private final String model;
    private final String namespace;
    private final long timeoutMillis;
    private final long identityTtl;
    private final long allowedTtl;
    private final long deniedTtl;
    private final KubernetesReviews reviews;
    private final ExpiringCache<Verified> identities;
    private final ExpiringCache<Boolean> decisions;
    /** Reviews in flight by cache key: concurrent requests with one token share one review. */
    private final ConcurrentHashMap<String, CompletableFuture<Verified>> authenticating = new ConcurrentHashMap<>();

    private static final String CALLER = CallerAuth.class.getName() + ".caller";

    private final Vertx vertx;

    /** What this runtime's own identity lacks to check callers; null while nothing is known to be missing. */
    private volatile String missingRights;

    private final ConcurrentHashMap<String, CompletableFuture<Boolean>> authorizing = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong lastWarning =
            new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - WARNING_EVERY_NANOS);
    private final Counter allowed;
    private final Counter denied;
    private final Counter unauthenticated;
    private final Counter unavailable;

    public CallerAuth(ExplainConfig config, Vertx vertx, MeterRegistry registry) {
        this.vertx = vertx;
        ExplainConfig.Auth auth = config.auth();
        String mode = auth.mode().trim().toLowerCase(Locale.ROOT);
        if (!mode.equals("none") && !mode.equals("kubernetes")) {
            throw new IllegalArgumentException(
                    "explain.auth.mode must be 'none' or 'kubernetes', got '" + auth.mode() + "'");
        }
        this.enabled = mode.equals("kubernetes");
        this.model = config.model().name();
        this.timeoutMillis = auth.timeout().toMillis();
        this.identityTtl = auth.identityTtl().toNanos();
        this.allowedTtl = auth.allowedTtl().toNanos();
        this.deniedTtl = auth.deniedTtl().toNanos();
        this.identities = new ExpiringCache<>(auth.cacheSize(), System::nanoTime);
        this.decisions = new ExpiringCache<>(auth.cacheSize(), System::nanoTime);
        this.allowed = counter(registry, "allowed");
        this.denied = counter(registry, "denied");
        this.unauthenticated = counter(registry, "unauthenticated");
        this.unavailable = counter(registry, "unavailable");
        if (!enabled) {
            this.namespace = null;
            this.reviews = null;
            return;
        }
        this.namespace = auth.namespace()
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .or(() -> podNamespace(Path.of(NAMESPACE_FILE)))
                .orElseThrow(() -> new IllegalStateException("explain.auth.mode=kubernetes needs the model's namespace:"
                        + " set explain.auth.namespace (EXPLAIN_AUTH_NAMESPACE), or run in a pod whose ServiceAccount"
                        + " namespace file (" + NAMESPACE_FILE + ") is mounted"));
        Config kube = Config.autoConfigure(null);
        if (kube.getMasterUrl() == null || kube.getMasterUrl().isBlank()) {
            throw new IllegalStateException(
                    "explain.auth.mode=kubernetes needs the Kubernetes API server: run in a pod,"
                            + " or set KUBECONFIG");
        }
        List<String> audiences = auth.audiences().orElse(List.of()).stream()
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
        this.reviews = new KubernetesReviews(vertx, kube, audiences);
        LOG.infof(
                "callers are authenticated and authorized by the Kubernetes API server %s (namespace %s, model %s%s)",
                kube.getMasterUrl(), namespace, model, audiences.isEmpty() ? "" : ", audiences " + audiences);
    }

    private Counter counter(MeterRegistry registry, String decision) {
        return Counter.builder("explainable.auth")
                .description("API requests by the outcome of their authentication and authorization")
                .tag("model", model)
                .tag("decision", decision)
                .register(registry);
    }

    static java.util.Optional<String> podNamespace(Path file) {
        try {
            String ns = Files.readString(file, StandardCharsets.UTF_8).trim();
            return ns.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(ns);
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    void install(@Observes Router router) {
        if (enabled) {
            router.route().order(ORDER).handler(this::check);
            checkOwnRights();
            // again every minute: a binding added (or removed) later is seen without a restart
            vertx.setPeriodic(TimeUnit.MINUTES.toMillis(1), id -> checkOwnRights());
        }
    }

    /**
     * Whether this runtime can check callers at all (its own ServiceAccount may create the reviews): a definite no
     * from the API server makes the pod unready with the reason ({@link CallerChecksReadiness}), since every call
     * would get 503 otherwise; an API server that cannot be asked now changes nothing (its outage is transient, and
     * cached decisions still answer).
     */
    private void checkOwnRights() {
        reviews.missingReviewRights(timeoutMillis).whenComplete((missing, failure) -> {
            if (failure != null) {
                return;
            }
            String before = missingRights;
            missingRights = missing;
            if (missing != null && !missing.equals(before)) {
                LOG.errorf("callers cannot be checked: %s", missing);
            } else if (missing == null && before != null) {
                LOG.infof("callers can be checked: this runtime may create tokenreviews and subjectaccessreviews");
            }
        });
    }

    /**
     * Why this runtime cannot check its callers (it may not create the reviews), or null: it can, auth is off, or
     * the API server has not answered that question yet.
     */
    public String whyCallersCannotBeChecked() {
        return missingRights;
    }

    @PreDestroy
    void close() {
        if (reviews != null) {
            reviews.close();
        }
    }

    void check(RoutingContext ctx) {
        ModelAccess access = ModelAccess.of(ctx.request().method().name(), ctx.normalizedPath());
        if (access == null) {
            ctx.next();
            return;
        }
        BearerToken.Parsed parsed = BearerToken.parse(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
        if (!parsed.present()) {
            unauthenticated(ctx, parsed.problem());
            return;
        }
        String key = BearerToken.key(parsed.token());
        long left = TimeUnit.NANOSECONDS.toMillis(HttpGuards.deadline(ctx).remainingNanos());
        long bound = Math.min(timeoutMillis, left);
        if (bound <= 0) {
            unavailable(ctx, "the request's deadline passed before the caller could be verified");
            return;
        }
        Context context = ctx.vertx().getOrCreateContext();
        identity(key, parsed.token(), bound)
                .thenCompose(verified -> verified.identity() == null
                        ? CompletableFuture.completedFuture(new Outcome(null, null))
                        : decision(key, verified.identity(), access, bound)
                                .thenApply(ok -> new Outcome(verified.identity(), ok)))
                .whenComplete((outcome, failure) -> {
                    if (Vertx.currentContext() == context) {
                        // both answers were cached: decided at once, without a hop
                        answer(ctx, access, outcome, failure);
                    } else {
                        // the API server answered on the client's own context: back to the request's
                        context.runOnContext(v -> answer(ctx, access, outcome, failure));
                    }
                });
    }

    /** The caller the API server verified for this request (the audit line's), or null: none was. */
    public static Identity caller(RoutingContext ctx) {
        return ctx.get(CALLER);
    }

    /** Who the token belongs to (null: refused) and whether RBAC allows the call (null: not asked). */
    private record Outcome(Identity identity, Boolean allowed) {}

    /** On the request's context: an outcome, or the failure to get one. */
    private void answer(RoutingContext ctx, ModelAccess access, Outcome outcome, Throwable failure) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return; // answered meanwhile (the deadline's watchdog), or the client left
        }
        if (outcome != null && outcome.identity() != null) {
            ctx.put(CALLER, outcome.identity());
        }
        Boolean decision = outcome == null ? null : outcome.allowed();
        if (failure != null) {
            long now = System.nanoTime();
            long last = lastWarning.get();
            if (now - last >= WARNING_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
                // once per interval: an outage of the API server must not flood the log with one line per request
                LOG.warnf("caller not verified, answered 503: %s", rootMessage(failure));
            } else {
                LOG.debugf("caller not verified, answered 503: %s", rootMessage(failure));
            }
            unavailable(
                    ctx,
                    "the caller's identity cannot be verified now (the Kubernetes API server is unreachable or"
                            + " slow); retry shortly");
        } else if (decision == null) {
            unauthenticated(ctx, "the bearer token was refused (invalid, expired, or not for this audience)");
        } else if (!decision) {
            denied.increment();
            HttpGuards.refuse(
                    ctx,
                    Failure.PERMISSION_DENIED,
                    "the caller may not " + access.verb() + " " + access.rbacResource() + " '" + model
                            + "' in namespace '" + namespace + "'");
        } else {
            allowed.increment();
            ctx.next();
        }
    }

    private CompletableFuture<Verified> identity(String key, String token, long bound) {
        Verified cached = identities.get(key);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        CompletableFuture<Verified> mine = new CompletableFuture<>();
        CompletableFuture<Verified> running = authenticating.putIfAbsent(key, mine);
        if (running != null) {
            return running;
        }
        CompletableFuture<KubernetesReviews.Authenticated> review;
        try {
            review = reviews.authenticate(token, bound);
        } catch (RuntimeException e) {
            // never left in flight: whoever joined it would wait for nothing
            review = CompletableFuture.failedFuture(e);
        }
        review.whenComplete((answer, failure) -> {
            if (failure == null) {
                Verified v = new Verified(answer.identity());
                identities.put(key, v, v.identity() != null ? identityTtl : deniedTtl);
                authenticating.remove(key, mine);
                mine.complete(v);
            } else {
                authenticating.remove(key, mine);
                mine.completeExceptionally(failure);
            }
        });
        return mine;
    }

    private CompletableFuture<Boolean> decision(String tokenKey, Identity who, ModelAccess access, long bound) {
        String key = tokenKey + " " + access.verb() + " " + access.rbacResource();
        Boolean cached = decisions.get(key);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> running = authorizing.putIfAbsent(key, mine);
        if (running != null) {
            return running;
        }
        CompletableFuture<Boolean> review;
        try {
            review = reviews.authorize(who, access, namespace, model, bound);
        } catch (RuntimeException e) {
            review = CompletableFuture.failedFuture(e);
        }
        review.whenComplete((ok, failure) -> {
            authorizing.remove(key, mine);
            if (failure == null) {
                decisions.put(key, ok, ok ? allowedTtl : deniedTtl);
                mine.complete(ok);
            } else {
                mine.completeExceptionally(failure);
            }
        });
        return mine;
    }

    private void unauthenticated(RoutingContext ctx, String message) {
        unauthenticated.increment();
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        HttpGuards.refuse(ctx, Failure.UNAUTHENTICATED, message);
    }

    private void unavailable(RoutingContext ctx, String message) {
        unavailable.increment();
        HttpGuards.refuse(ctx, Failure.AUTH_UNAVAILABLE, message);
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        // the reviews' own messages name no token; anything else is named by its type only
        return c instanceof KubernetesReviews.UnavailableException
                ? c.getMessage()
                : c.getClass().getSimpleName();
    }
}
