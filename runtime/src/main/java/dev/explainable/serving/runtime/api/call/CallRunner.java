package dev.explainable.serving.runtime.api.call;

import java.util.function.BiFunction;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.MDC;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.ext.web.RoutingContext;

import dev.explainable.serving.runtime.api.audit.CallAudit;
import dev.explainable.serving.runtime.api.errors.Failure;
import dev.explainable.serving.runtime.api.http.AdmissionControl;
import dev.explainable.serving.runtime.api.http.HttpGuards;
import dev.explainable.serving.runtime.config.ExplainConfig;
import dev.explainable.serving.runtime.service.ExplanationPipeline;
import dev.explainable.serving.runtime.service.ModelHost;
import dev.explainable.serving.runtime.work.Admission;
import dev.explainable.serving.runtime.work.DeadlineExceededException;
import dev.explainable.serving.runtime.work.RequestDeadline;
import dev.explainable.serving.runtime.work.Spans;

/**
 * What every explain and predict call goes through, whichever contract's URL it came by: the request's deadline,
 * admission before the body is parsed, the work on a worker thread, and the request metrics by outcome.
 */
@ApplicationScoped
public class CallRunner {

    private final ModelHost models;
    private final AdmissionControl admission;
    private final MeterRegistry registry;
    private final RequestReader reader;

    public CallRunner(ModelHost models, AdmissionControl admission, MeterRegistry registry, ExplainConfig config) {
        this.models = models;
        this.admission = admission;
        this.registry = registry;
        this.reader = new RequestReader(config.maxRequestBytes());
    }

    /**
     * Runs one call on a worker thread. The body has been read on the event loop already (a slow client holds a
     * connection but no worker).
     *
     * @param elsewhere another answerer for this request, decided before admission (another version forwards
     *     it), or null when this process answers
     * @param resolve the pipeline the URL names (404 / 503 when none)
     * @param work the call itself, given the parsed request; answers the contract's response record
     */
    public <T> Uni<Response> run(
            RoutingContext http,
            String verb,
            byte[] body,
            BiFunction<byte[], RequestDeadline, Response> elsewhere,
            Supplier<ExplanationPipeline> resolve,
            BiFunction<ExplanationPipeline, RequestReader.Request, T> work) {
        RequestDeadline deadline = HttpGuards.deadline(http);
        HttpGuards.bodyArrived(http); // the body is here: from now on only the deadline bounds the call
        // the request's span, current on the event loop: the worker's spans and a forward hang under it
        Context trace = Context.current();
        String requestId = http.response().headers().get(CallAudit.REQUEST_ID);
        SpanContext span = Span.fromContext(trace).getSpanContext();
        return Uni.createFrom()
                .item(() -> {
                    // the worker's log records carry the call's request and trace ids, as the event loop's do: in the
                    // request's Vert.x context Quarkus' MDC has them already, else they are added and removed here
                    boolean addedRequestId = putIfAbsent(CallAudit.REQUEST_ID_MDC, requestId);
                    boolean addedTraceId = putIfAbsent(TRACE_ID_MDC, span.isValid() ? span.getTraceId() : null);
                    try (Scope traced = trace.makeCurrent()) {
                        Response other = elsewhere == null ? null : elsewhere.apply(body, deadline);
                        if (other != null) {
                            return other;
                        }
                        return Response.ok(handle(http, verb, deadline, body, resolve, work))
                                .type(MediaType.APPLICATION_JSON)
                                .build();
                    } catch (DeadlineExceededException e) {
                        if (deadline.isCancelled()) {
                            // the client has gone and nobody reads an answer; counted in handle()
                            return Response.noContent().build();
                        }
                        throw e;
                    } finally {
                        if (addedRequestId) {
                            MDC.remove(CallAudit.REQUEST_ID_MDC);
                        }
                        if (addedTraceId) {
                            MDC.remove(TRACE_ID_MDC);
                        }
                    }
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                // answered 504 by HttpGuards at the deadline already: nothing more is written, and the connection
                // that guard closes makes the REST layer drop this request
                .onItem()
                .transformToUni(r -> answered(http)
                        ? Uni.createFrom().<Response>nothing()
                        : Uni.createFrom().item(r))
                .onFailure()
                .recoverWithUni(t -> answered(http)
                        ? Uni.createFrom().nothing()
                        : Uni.createFrom().failure(t));
    }

    /** Quarkus' key for the trace id in a log record's MDC. */
    static final String TRACE_ID_MDC = "traceId";

    private static boolean putIfAbsent(String key, String value) {
        if (value == null || MDC.get(key) != null) {
            return false;
        }
        MDC.put(key, value);
        return true;
    }

    private static boolean answered(RoutingContext http) {
        return http.response().ended();
    }

    private <T> T handle(
            RoutingContext http,
            String verb,
            RequestDeadline deadline,
            byte[] body,
            Supplier<ExplanationPipeline> resolve,
            BiFunction<ExplanationPipeline, RequestReader.Request, T> work) {
        boolean explain = verb.equals("explain");
        Timer.Sample sample = Timer.start(registry);
        String outcome = Failure.Outcome.ERROR.tag(); // also for an Error, which the table does not see
        try (RequestDeadline.Scope scope = deadline.enter()) {
            ExplanationPipeline pipeline = resolve.get();
            // admitted before parsing: a queued request holds its raw body only, not the larger JSON tree
            Admission queue = explain ? admission.explanations() : admission.predictions();
            try (Admission.Permit permit = Spans.in("admission", () -> queue.acquire(deadline))) {
                RequestReader.Request request = Spans.in("decode", () -> reader.read(body));
                Span.current()
                        .setAttribute(
                                "explainable.instances", request.instances().size());
                CallAudit.call(http, request.instances().size(), explain ? models.method() : "none");
                T response = Spans.in(verb, () -> work.apply(pipeline, request));
                outcome = Failure.Outcome.SUCCESS.tag();
                registry.counter("explainable.instances", "verb", verb)
                        .increment(request.instances().size());
                return response;
            }
        } catch (RuntimeException e) {
            outcome = Failure.of(e).outcome().tag();
            throw e;
        } finally {
            sample.stop(Timer.builder("explainable.requests")
                    .description("explain and predict requests, by verb, attribution method and outcome")
                    .tag("verb", verb)
                    .tag("method", explain ? models.method() : "none")
                    .tag("outcome", outcome)
                    .publishPercentileHistogram()
                    .register(registry));
        }
    }
}
