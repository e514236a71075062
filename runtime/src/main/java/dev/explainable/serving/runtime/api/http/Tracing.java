package dev.explainable.serving.runtime.api.http;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.opentelemetry.api.trace.Tracer;
import io.quarkus.runtime.StartupEvent;

import dev.explainable.serving.runtime.work.Spans;

/**
 * Hands Quarkus' tracer to {@link Spans}. Tracing is Quarkus' OpenTelemetry extension: the server span of each
 * request (from the caller's W3C {@code traceparent} when it sends one), its trace and span ids in the log records'
 * MDC, export over OTLP. Off unless an endpoint is set (docs/configuration.md, "Traces").
 */
@ApplicationScoped
public class Tracing {

    void start(@Observes StartupEvent ev, Tracer tracer) {
        Spans.use(tracer);
    }
}
