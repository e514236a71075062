package dev.explainable.serving.runtime.work;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded number of requests of one kind run at once, a bounded number wait (in arrival order, each until its
 * deadline); past both a request is refused at once. Memory stays bounded by (running + queued) requests whatever
 * the offered load, and clients learn to back off from the 429 instead of timing out.
 */
public final class Admission {

    private final String kind;
    private final String setting;
    private final Semaphore slots;
    private final int maxRunning;
    private final int maxQueued;
    private final Duration maxWait;
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong rejected = new AtomicLong();
    private volatile boolean stopping;

    /**
     * @param kind    what is admitted, for messages ("explanations")
     * @param setting the settings' prefix that sizes it, for messages
     */
    public Admission(String kind, String setting, int maxRunning, int maxQueued) {
        this(kind, setting, maxRunning, maxQueued, Duration.ofDays(1));
    }

    /** @param maxWait longest a request waits in the queue before it is refused as overload */
    public Admission(String kind, String setting, int maxRunning, int maxQueued, Duration maxWait) {
        if (maxRunning < 1 || maxQueued < 0) {
            throw new IllegalArgumentException(
                    kind + ": need at least 1 running and 0 queued, got " + maxRunning + " and " + maxQueued);
        }
        this.kind = kind;
        this.setting = setting;
        this.maxRunning = maxRunning;
        this.maxQueued = maxQueued;
        this.maxWait = maxWait;
        this.slots = new Semaphore(maxRunning, true);
    }

    /** A running slot, released by closing it. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Waits for a slot while the deadline allows. Throws {@link OverloadedException} when the queue is full or the
     * process is stopping, {@link DeadlineExceededException} when the deadline passes while queued.
     */
    public Permit acquire(RequestDeadline deadline) {
        if (stopping) {
            throw stoppingException();
        }
        if (!slots.tryAcquire()) {
            if (queued.incrementAndGet() > maxQueued) {
                queued.decrementAndGet();
                rejected.incrementAndGet();
                throw new OverloadedException(
                        "too many " + kind + " at once: " + maxRunning + " running"
                                + (maxQueued > 0 ? " and " + maxQueued + " queued" : "") + " ("
                                + setting + "); retry later",
                        1,
                        false);
            }
            try {
                long wait = Math.min(deadline.remainingNanos(), maxWait.toNanos());
                if (wait <= 0 || !slots.tryAcquire(wait, TimeUnit.NANOSECONDS)) {
                    deadline.check();
                    rejected.incrementAndGet();
                    // Busy for longer than a client should wait: a quick 429 lets it retry elsewhere or later,
                    // rather than sit out its whole deadline for a 504.
                    throw new OverloadedException(
                            "no slot for " + kind + " became free within " + maxWait.toSeconds() + " s (" + setting
                                    + ", max-queue-wait); retry later",
                            1,
                            false);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeadlineExceededException("interrupted while queued", true);
            } finally {
                queued.decrementAndGet();
            }
            if (stopping) {
                slots.release();
                throw stoppingException();
            }
        }
        return slots::release;
    }

    private OverloadedException stoppingException() {
        return new OverloadedException("the server is shutting down; retry on another replica", 1, true);
    }

    /** Refuses new requests from now on (shutdown); queued ones get a refusal when they would have started. */
    public void stop() {
        stopping = true;
    }

    public int running() {
        return maxRunning - slots.availablePermits();
    }

    public int queued() {
        return queued.get();
    }

    public long rejected() {
        return rejected.get();
    }
}
