package dev.explainable.serving.runtime.work;

import java.util.function.Supplier;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

/**
 * The runtime's own trace spans (admission wait, decode, each TensorFlow run, explanation, rendering), children of
 * the request's span where one is current. The tracer is OpenTelemetry's no-op one until the application sets
 * Quarkus' (which is itself a no-op while tracing is off), so that the model and explain code, which are not CDI
 * beans, and their unit tests need nothing.
 */
public final class Spans {

    private static volatile Tracer tracer = OpenTelemetry.noop().getTracer("explainable-serving");

    private Spans() {}

    /** Set once at start by the application. */
    public static void use(Tracer t) {
        tracer = t;
    }

    public static Tracer tracer() {
        return tracer;
    }

    /** {@code work} inside span {@code name}, current while it runs; a failure marks the span as an error. */
    public static <T> T in(String name, Supplier<T> work) {
        Span span = tracer.spanBuilder(name).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return work.get();
        } catch (RuntimeException | Error e) {
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            throw e;
        } finally {
            span.end();
        }
    }
}
