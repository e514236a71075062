package dev.explainable.serving.runtime.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.jboss.logging.MDC;

import io.opentelemetry.context.Context;

import dev.explainable.serving.runtime.work.RequestDeadline;

/**
 * One request's model calls run at once: the first on the request's own thread, the others on helper threads that
 * carry the request's deadline, trace and logging context (MDC). How many run on TensorFlow at once is still
 * {@link SharedRuns}' to say (a helper waits there like any request); helpers only let one request hand in more
 * than one run. Each explanation
 * in progress (admitted, or a batch shard's call in flight) has at most {@link ModelRunner#CALLS_AT_ONCE} - 1 calls
 * on helpers, so the pool is bounded by those counts; idle helpers end after 60 s.
 */
final class ConcurrentCalls {

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ExecutorService HELPERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "model-call-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private ConcurrentCalls() {}

    /**
     * The calls' results in order. Every call has ended when this returns or throws (nothing of the request runs on
     * after it); the first call's error, else the first helper's, is thrown as it was.
     */
    static <T> List<T> all(List<Supplier<T>> calls) {
        if (calls.size() == 1) {
            return List.of(calls.get(0).get());
        }
        RequestDeadline deadline = RequestDeadline.current();
        Context trace = Context.current();
        Map<String, Object> logContext = MDC.getMap(); // the request id on a helper's log lines too
        List<CompletableFuture<T>> helped = new ArrayList<>(calls.size() - 1);
        for (Supplier<T> call : calls.subList(1, calls.size())) {
            helped.add(CompletableFuture.supplyAsync(
                    () -> {
                        logContext.forEach(MDC::put);
                        try (RequestDeadline.Scope d = deadline != null ? deadline.enter() : RequestDeadline.none();
                                io.opentelemetry.context.Scope t = trace.makeCurrent()) {
                            return call.get();
                        } finally {
                            MDC.clear();
                        }
                    },
                    HELPERS));
        }
        List<T> out = new ArrayList<>(calls.size());
        Throwable error = null;
        try {
            out.add(calls.get(0).get());
        } catch (RuntimeException | Error e) {
            error = e;
        }
        for (CompletableFuture<T> f : helped) {
            try {
                out.add(f.join()); // uninterruptible: a helper's arrays are the request's until it ends
            } catch (CompletionException e) {
                if (error == null) {
                    error = e.getCause() != null ? e.getCause() : e;
                }
            }
        }
        if (error instanceof RuntimeException r) {
            throw r;
        }
        if (error instanceof Error e) {
            throw e;
        }
        if (error != null) {
            throw new IllegalStateException("a model call failed", error); // a checked exception thrown sneakily
        }
        return out;
    }
}
