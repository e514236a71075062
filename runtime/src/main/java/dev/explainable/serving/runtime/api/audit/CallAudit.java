package dev.explainable.serving.runtime.api.audit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import dev.explainable.serving.runtime.api.auth.CallerAuth;
import dev.explainable.serving.runtime.api.auth.Identity;
import dev.explainable.serving.runtime.api.auth.ModelAccess;
import dev.explainable.serving.runtime.config.ExplainConfig;

/**
 * The audit trail: one line per call on the API port (the page's static files aside), written when its answer has
 * gone, refusals included: time (the log record's), the caller's username and uid as the API server verified them
 * ("-" where nobody was verified), model, version, verb, attribution method, number of instances, status, latency,
 * request id and client address. Never instance data, tokens or headers. The request id is the caller's
 * {@code X-Request-Id} when it is a short plain word, else a new one, and is sent back in the same header. The fields
 * go into the record's MDC too, so that a JSON log format ({@code quarkus.log.console.json.enabled}) carries them as
 * fields.
 */
@ApplicationScoped
public class CallAudit {

    /** The logger category of the audit lines, to route or filter them apart. */
    public static final String CATEGORY = "dev.explainable.serving.audit";

    public static final String REQUEST_ID = "X-Request-Id";

    /** The request id's MDC key: with Quarkus' traceId and spanId, on each log record of a call. */
    public static final String REQUEST_ID_MDC = "requestId";

    private static final Logger LOG = Logger.getLogger(CATEGORY);
    private static final String INSTANCES = CallAudit.class.getName() + ".instances";
    private static final String METHOD = CallAudit.class.getName() + ".method";
    /** What a caller's request id may be: it goes into log lines verbatim. */
    private static final Pattern PLAIN_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private final String model;
    private final String version;

    public CallAudit(ExplainConfig config) {
        this.model = config.model().name();
        this.version = config.model().version();
    }

    /** First of all the API port's handlers, so that every answer, a refusal by any later one included, is seen. */
    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::open);
    }

    void open(RoutingContext ctx) {
        ModelAccess access = ModelAccess.of(ctx.request().method().name(), ctx.normalizedPath());
        if (access == null) {
            ctx.next(); // the page's own files
            return;
        }
        long started = System.nanoTime();
        String requestId = requestId(ctx.request().getHeader(REQUEST_ID));
        ctx.response().putHeader(REQUEST_ID, requestId);
        // on every record of the call's event-loop work (Quarkus keeps the MDC with the request's Vert.x context);
        // CallRunner puts it on the worker's
        MDC.put(REQUEST_ID_MDC, requestId);
        ctx.addEndHandler(ended -> write(ctx, access, requestId, started));
        ctx.next();
    }

    /** The number of instances and the attribution method of a call, once its body has been read. */
    public static void call(RoutingContext ctx, int instances, String method) {
        ctx.put(INSTANCES, instances);
        ctx.put(METHOD, method);
    }

    static String requestId(String given) {
        return given != null && PLAIN_ID.matcher(given).matches()
                ? given
                : UUID.randomUUID().toString();
    }

    private void write(RoutingContext ctx, ModelAccess access, String requestId, long started) {
        Identity caller = CallerAuth.caller(ctx);
        Integer instances = ctx.get(INSTANCES);
        String method = ctx.get(METHOD);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("audit.caller", caller == null ? "-" : caller.username());
        fields.put("audit.caller_uid", caller == null || caller.uid() == null ? "-" : caller.uid());
        fields.put("audit.model", model);
        fields.put("audit.version", version);
        fields.put("audit.verb", access.subresource().isEmpty() ? "get" : access.subresource());
        fields.put("audit.method", method == null ? "-" : method);
        fields.put("audit.instances", instances == null ? "-" : String.valueOf(instances));
        fields.put("audit.status", String.valueOf(ctx.response().getStatusCode()));
        fields.put(
                "audit.latency_ms",
                String.format(
                        java.util.Locale.ROOT,
                        "%.1f",
                        (System.nanoTime() - started) / (double) TimeUnit.MILLISECONDS.toNanos(1)));
        fields.put("audit.request_id", requestId);
        fields.put(
                "audit.client",
                ctx.request().remoteAddress() == null
                        ? "-"
                        : ctx.request().remoteAddress().hostAddress());
        StringBuilder line = new StringBuilder("call");
        fields.forEach((k, v) -> line.append(' ')
                .append(k.substring("audit.".length()))
                .append('=')
                .append(quoted(v)));
        fields.forEach(MDC::put);
        try {
            LOG.info(line.toString());
        } finally {
            fields.keySet().forEach(MDC::remove);
            MDC.remove(REQUEST_ID_MDC); // the call is over
        }
    }

    /** A value as one token of the line: quoted when it holds a space, a quote or a control character. */
    static String quoted(String v) {
        boolean plain = !v.isEmpty() && v.chars().allMatch(c -> c > ' ' && c != '"' && c != '\\' && c < 0x7f);
        if (plain) {
            return v;
        }
        StringBuilder b = new StringBuilder("\"");
        v.chars().forEach(c -> {
            if (c == '"' || c == '\\') {
                b.append('\\').append((char) c);
            } else if (c < ' ' || c == 0x7f) {
                b.append(String.format(java.util.Locale.ROOT, "\\u%04x", c));
            } else {
                b.append((char) c);
            }
        });
        return b.append('"').toString();
    }
}
