package dev.explainable.serving.runtime.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.tensorflow.Output;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;

import dev.explainable.serving.runtime.tensor.HostTensor;
import dev.explainable.serving.runtime.work.RequestDeadline;
import dev.explainable.serving.runtime.work.ResourceExhaustedException;
import dev.explainable.serving.runtime.work.Spans;

/**
 * TensorFlow runs shared by the concurrent requests of one model (cross-request batching).
 *
 * <p>Each request hands in its rows (path points, perturbations, instances) with the feeds and fetches of one run.
 * At most {@code concurrentRuns} runs execute at once; a free runner takes the waiting rows of the request due first
 * (earliest deadline) together with
 * every waiting part that feeds and fetches the same tensors at the same row shape, up to {@code maxPoints} rows and
 * {@code maxElements} fed values, joins them along the batch dimension, runs once and hands each request its own
 * rows back. There is no batching thread: a waiting request's own thread runs whatever batch is next (its part or
 * others'), so a lone request starts at once and waits for nobody.
 *
 * <p>Why this is exact: every row of a run is computed independently (inference graphs do not mix the batch), and
 * the explained target is a sum of per-row scores, so each row's gradient is that row's own.
 *
 * <p>Isolation: a part whose request is overdue or cancelled is dropped before its run; if a shared run fails (a
 * request's values the graph rejects), each part is run again alone, so the error reaches only its own request.
 */
public final class SharedRuns {

    /** How often a waiting request looks at its own deadline. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** The function that runs one joined batch (the model's session). */
    @FunctionalInterface
    public interface Runner {
        List<HostTensor> run(Map<Output<?>, HostTensor> feeds, List<Output<?>> fetches);
    }

    private final Runner runner;
    private final int maxPoints;
    /** Fewer rows than {@code maxPoints} once a run has run out of memory. */
    private final RowLimit rowLimit;

    private final long maxElements;
    private final long maxWaitNanos;
    private final int concurrentRuns;
    private final ArrayDeque<Part> queue = new ArrayDeque<>();
    private int running;
    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong partsRun = new AtomicLong();

    /**
     * @param maxPoints most rows of one run
     * @param maxElements most values fed in one run (explain.limits.max-batch-elements)
     * @param maxWaitNanos how long a run that is not full waits for more parts
     * @param concurrentRuns runs at once
     */
    public SharedRuns(Runner runner, int maxPoints, long maxElements, long maxWaitNanos, int concurrentRuns) {
        this(runner, maxPoints, new RowLimit(), maxElements, maxWaitNanos, concurrentRuns);
    }

    /** @param rowLimit the model's rows per run as its device's memory allows: joined runs take no more */
    public SharedRuns(
            Runner runner, int maxPoints, RowLimit rowLimit, long maxElements, long maxWaitNanos, int concurrentRuns) {
        this.runner = runner;
        this.maxPoints = maxPoints;
        this.rowLimit = rowLimit;
        this.maxElements = maxElements;
        this.maxWaitNanos = maxWaitNanos;
        this.concurrentRuns = Math.max(1, concurrentRuns);
    }

    /** Runs shared by the requests of {@code model}, in its session (the other parameters as the constructor's). */
    public static SharedRuns of(
            ServingModel model,
            int maxPoints,
            RowLimit rowLimit,
            long maxElements,
            long maxWaitNanos,
            int concurrentRuns) {
        return new SharedRuns(model::run, maxPoints, rowLimit, maxElements, maxWaitNanos, concurrentRuns);
    }

    /** Runs this request's {@code rows} rows, alone or with others'; the fetches' rows in order. */
    public List<HostTensor> run(Map<Output<?>, HostTensor> feeds, List<Output<?>> fetches, int rows) {
        RequestDeadline.checkCurrent();
        Part me = new Part(feeds, fetches, rows, RequestDeadline.current());
        synchronized (this) {
            queue.add(me);
            notifyAll();
        }
        while (true) {
            List<Part> batch;
            synchronized (this) {
                batch = awaitTurnOrResult(me);
            }
            if (batch == null) {
                break;
            }
            try {
                execute(batch);
            } finally {
                synchronized (this) {
                    running--;
                    notifyAll();
                }
            }
        }
        if (me.error != null) {
            throw me.error;
        }
        return me.result;
    }

    /** Runs at once, at most. */
    public int concurrentRuns() {
        return concurrentRuns;
    }

    /** Runs and parts run so far (parts / runs is the mean number of requests per run). */
    public long runs() {
        return runs.get();
    }

    public long partsRun() {
        return partsRun.get();
    }

    /** Holding the lock: null once {@code me} is done, else the batch this thread is to run. */
    private List<Part> awaitTurnOrResult(Part me) {
        while (!me.done) {
            if (running < concurrentRuns && !queue.isEmpty()) {
                running++;
                fillWait();
                return take();
            }
            try {
                wait(TimeUnit.NANOSECONDS.toMillis(POLL_NANOS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                queue.remove(me);
                throw new IllegalStateException("interrupted while waiting for a model run", e);
            }
            if (!me.taken) {
                try {
                    RequestDeadline.checkCurrent();
                } catch (RuntimeException e) {
                    queue.remove(me); // never started: nothing else refers to it
                    throw e;
                }
            }
        }
        return null;
    }

    /** Holding the lock: waits up to max-wait for more rows compatible with the part due first. */
    private void fillWait() {
        if (maxWaitNanos <= 0) {
            return;
        }
        long until = System.nanoTime() + maxWaitNanos;
        Part head = dueFirst();
        while (compatibleRows(head) < maxRows()) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (dueFirst() != head) {
                return; // another runner took it
            }
        }
    }

    /** Holding the lock: the waiting part whose request is due first (the earlier part on ties). */
    private Part dueFirst() {
        Part head = null;
        for (Part p : queue) {
            if (head == null || p.due < head.due) {
                head = p;
            }
        }
        return head;
    }

    private int maxRows() {
        return Math.min(maxPoints, rowLimit.get());
    }

    private int compatibleRows(Part head) {
        int rows = 0;
        for (Part p : queue) {
            if (p.key.equals(head.key)) {
                rows += p.rows;
            }
        }
        return rows;
    }

    /**
     * Holding the lock: the part of the request due first, and the compatible parts that fit. Earliest deadline
     * first, not the oldest part: every request hands in its runs one after the other, so taking parts in arrival
     * order would share the model among all admitted requests and finish them all late together (16 ResNet-50
     * explanations admitted at once: every answer after about 16 explanations' time); by deadline, requests of the
     * same budget finish in the order they came, as with fewer admitted, and still join runs. Parts without a
     * deadline (a batch shard's) after those with one, in arrival order.
     */
    private List<Part> take() {
        Part head = dueFirst();
        queue.remove(head);
        head.taken = true;
        List<Part> batch = new ArrayList<>();
        batch.add(head);
        int rows = head.rows;
        long elements = head.elements;
        int maxRows = maxRows();
        for (Iterator<Part> it = queue.iterator(); it.hasNext(); ) {
            Part p = it.next();
            if (p.key.equals(head.key) && rows + p.rows <= maxRows && elements + p.elements <= maxElements) {
                it.remove();
                p.taken = true;
                batch.add(p);
                rows += p.rows;
                elements += p.elements;
            }
        }
        return batch;
    }

    private void execute(List<Part> batch) {
        List<Part> live = new ArrayList<>(batch.size());
        for (Part p : batch) {
            try {
                if (p.deadline != null) {
                    p.deadline.check();
                }
                live.add(p);
            } catch (RuntimeException e) {
                finish(p, null, e);
            }
        }
        if (live.isEmpty()) {
            return;
        }
        runs.incrementAndGet();
        partsRun.addAndGet(live.size());
        if (live.size() == 1) {
            runAlone(live.get(0));
            return;
        }
        int total = live.stream().mapToInt(p -> p.rows).sum();
        List<HostTensor> joined;
        Span span = runSpan(live, total);
        try (RequestDeadline.Scope none = RequestDeadline.none()) {
            joined = runner.run(joinedFeeds(live), live.get(0).fetches);
        } catch (ResourceExhaustedException e) {
            span.setStatus(StatusCode.ERROR, "out of memory: run apart");
            rowLimit.ranOutOfMemoryAt(total); // later joins stay under it
            live.forEach(this::runAlone);
            return;
        } catch (RuntimeException e) {
            span.setStatus(StatusCode.ERROR, "failed: run apart");
            live.forEach(this::runAlone); // only the part that caused it fails
            return;
        } finally {
            span.end();
        }
        if (joined.stream().anyMatch(t -> t.shape().length == 0 || t.shape()[0] != total)) {
            live.forEach(this::runAlone); // a fetch that is not per row cannot be split
            return;
        }
        int at = 0;
        for (Part p : live) {
            List<HostTensor> mine = new ArrayList<>(joined.size());
            for (HostTensor t : joined) {
                mine.add(t.rows(at, p.rows));
            }
            at += p.rows;
            finish(p, mine, null);
        }
    }

    private void runAlone(Part p) {
        Span span = runSpan(List.of(p), p.rows);
        try (RequestDeadline.Scope scope = p.deadline != null ? p.deadline.enter() : RequestDeadline.none()) {
            finish(p, runner.run(p.feeds, p.fetches), null);
        } catch (RuntimeException e) {
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            finish(p, null, e);
        } finally {
            span.end();
        }
    }

    /**
     * The span of one TensorFlow run of {@code parts}: a part's own run is in its request's trace; a shared run is
     * under the span of the request whose thread runs it, linked to every request it carries.
     */
    private static Span runSpan(List<Part> parts, int rows) {
        boolean shared = parts.size() > 1;
        SpanBuilder b = Spans.tracer()
                .spanBuilder("tensorflow run")
                .setAttribute("explainable.run.rows", rows)
                .setAttribute("explainable.run.requests", parts.size())
                .setAttribute("explainable.run.shared", shared);
        if (shared) {
            parts.forEach(p -> b.addLink(p.trace));
        } else {
            b.setParent(Context.current().with(Span.wrap(parts.get(0).trace)));
        }
        return b.startSpan();
    }

    private Map<Output<?>, HostTensor> joinedFeeds(List<Part> parts) {
        Map<Output<?>, HostTensor> feeds = new LinkedHashMap<>();
        for (Output<?> o : parts.get(0).feeds.keySet()) {
            List<HostTensor> columns = new ArrayList<>(parts.size());
            parts.forEach(p -> columns.add(p.feeds.get(o)));
            feeds.put(o, HostTensor.concat(columns));
        }
        return feeds;
    }

    private synchronized void finish(Part p, List<HostTensor> result, RuntimeException error) {
        p.result = result;
        p.error = error;
        p.done = true;
        notifyAll();
    }

    /** One request's rows of one run. */
    private static final class Part {
        final Map<Output<?>, HostTensor> feeds;
        final List<Output<?>> fetches;
        final int rows;
        final long elements;
        final RequestDeadline deadline;
        /** The request's trace: a run that carries this part links to it. */
        final SpanContext trace = Span.current().getSpanContext();
        /** What must agree for parts to share a run: the tensors fed and fetched, and each feed's row shape. */
        final String key;
        /** When its request is due ({@link RequestDeadline#dueNanos()}), {@link Long#MAX_VALUE} without a deadline. */
        final long due;

        boolean taken;
        boolean done;
        List<HostTensor> result;
        RuntimeException error;

        Part(Map<Output<?>, HostTensor> feeds, List<Output<?>> fetches, int rows, RequestDeadline deadline) {
            this.feeds = feeds;
            this.fetches = fetches;
            this.rows = rows;
            this.deadline = deadline;
            this.due = deadline == null ? Long.MAX_VALUE : deadline.dueNanos();
            StringBuilder k = new StringBuilder();
            long values = 0;
            for (Map.Entry<Output<?>, HostTensor> f : feeds.entrySet()) {
                HostTensor t = f.getValue();
                boolean perRow = t.shape().length > 0 && t.shape()[0] == rows;
                k.append(f.getKey().op().name())
                        .append(':')
                        .append(f.getKey().index())
                        .append(t.dtype())
                        // a feed that is not per row (a scalar setting) keeps its parts apart: its whole value
                        .append(perRow ? Arrays.toString(Arrays.copyOfRange(t.shape(), 1, t.shape().length)) : "!")
                        .append(perRow ? "" : System.identityHashCode(this))
                        .append(';');
                values += t.size();
            }
            for (Output<?> o : fetches) {
                k.append('>').append(o.op().name()).append(':').append(o.index());
            }
            this.key = k.toString();
            this.elements = values;
        }
    }
}
