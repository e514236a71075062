package dev.explainable.serving.runtime.service;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;

import io.opentelemetry.context.Context;

import dev.explainable.serving.runtime.result.Explanation;
import dev.explainable.serving.runtime.work.RequestDeadline;

/**
 * Vertex v1beta1's concurrent explanations computed at once: each named override on a thread of its own, the request's
 * own explanation on the caller's, all under the request's deadline and trace, so that their TensorFlow runs meet in
 * the model's shared runs (cross-request batching) instead of running one after the other. Threads are bounded for the
 * process; past the bound an override runs on the caller's thread, after the others were handed out (never a queue
 * that could wait on itself). A request computes up to 1 + explain.limits.max-concurrent-explanations explanations
 * at once in its one admission slot: docs/configuration.md says so beside both settings.
 */
final class ConcurrentExplanations {

    /** Threads for named overrides, process-wide: a few requests' worth (each has at most a handful). */
    static final int MAX_THREADS = 16;

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(
            0,
            MAX_THREADS,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
                Thread t = new Thread(r, "concurrent-explanation-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            },
            new ThreadPoolExecutor.CallerRunsPolicy());

    private ConcurrentExplanations() {}

    static ExplanationPipeline.ConcurrentAnswers explain(
            ExplanationPipeline pipeline,
            List<JsonNode> instances,
            ExplainOptions own,
            Map<String, ExplainOptions> named) {
        RequestDeadline deadline = RequestDeadline.current();
        Context trace = Context.current();
        Map<String, Future<List<Explanation>>> pending = new LinkedHashMap<>();
        try {
            named.forEach((name, override) -> pending.put(name, POOL.submit(trace.wrap(() -> {
                try (RequestDeadline.Scope s = deadline == null ? RequestDeadline.none() : deadline.enter()) {
                    return pipeline.explain(instances, override);
                }
            }))));
            ExplanationPipeline.ExplainedPredictions first = pipeline.explainAndPredict(instances, own);
            Map<String, List<Explanation>> out = new LinkedHashMap<>();
            for (Map.Entry<String, Future<List<Explanation>>> e : pending.entrySet()) {
                out.put(e.getKey(), e.getValue().get());
            }
            return new ExplanationPipeline.ConcurrentAnswers(first, out);
        } catch (ExecutionException e) {
            cancel(pending);
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel(pending);
            throw new IllegalStateException("interrupted while explaining concurrently", e);
        } catch (RuntimeException e) {
            cancel(pending);
            throw e;
        }
    }

    /**
     * The request failed: overrides not started yet never start. Started ones end by themselves, within the request's
     * deadline; cancelling that deadline would turn the request's own error (a 504 past its deadline) into the answer
     * of a request whose client left.
     */
    private static void cancel(Map<String, Future<List<Explanation>>> pending) {
        pending.values().forEach(f -> f.cancel(false));
    }
}
