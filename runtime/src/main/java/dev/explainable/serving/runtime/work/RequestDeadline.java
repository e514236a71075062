package dev.explainable.serving.runtime.work;

import java.time.Duration;

/**
 * The time a request has left, and whether it was cancelled (its client went away, or the process is stopping).
 * Long work checks it between TensorFlow runs, so an abandoned or overdue request stops within one batch instead of
 * computing to the end. The deadline of the request a thread works on is found through {@link #current()}: the
 * attribution methods need not pass it along.
 */
public final class RequestDeadline {

    private static final ThreadLocal<RequestDeadline> CURRENT = new ThreadLocal<>();
    /** Process-wide: at shutdown every request must end by then (System.nanoTime based; MAX_VALUE = not stopping). */
    private static volatile long stopBy = Long.MAX_VALUE;

    private final long deadline;
    private final Duration budget;
    private volatile String cancelled;

    private RequestDeadline(Duration budget) {
        this.budget = budget;
        this.deadline = System.nanoTime() + budget.toNanos();
    }

    /** A deadline {@code budget} from now. */
    public static RequestDeadline after(Duration budget) {
        return new RequestDeadline(budget);
    }

    /** The deadline of the request this thread works on, or null outside a request. */
    public static RequestDeadline current() {
        return CURRENT.get();
    }

    /** Checks this thread's request, if any: throws once it is overdue or cancelled. */
    public static void checkCurrent() {
        RequestDeadline d = CURRENT.get();
        if (d != null) {
            d.check();
        }
    }

    /** Makes this the thread's current deadline until the returned scope closes. */
    public Scope enter() {
        RequestDeadline previous = CURRENT.get();
        CURRENT.set(this);
        return () -> CURRENT.set(previous);
    }

    /**
     * No request's deadline on this thread until the scope closes: for work done on behalf of several requests (a
     * shared run), which each request's own checks bound instead.
     */
    public static Scope none() {
        RequestDeadline previous = CURRENT.get();
        CURRENT.remove();
        return () -> CURRENT.set(previous);
    }

    /** Ends the request at its next check (the client went away). */
    public void cancel(String reason) {
        if (cancelled == null) {
            cancelled = reason;
        }
    }

    public boolean isCancelled() {
        return cancelled != null;
    }

    /** The time the request was given from its arrival. */
    public Duration budget() {
        return budget;
    }

    /**
     * The deadline on {@link System#nanoTime()}'s clock: what orders the work of requests of the same budget by
     * arrival (earliest deadline first).
     */
    public long dueNanos() {
        return deadline;
    }

    /** Nanoseconds left before the deadline or the shutdown cut-off, whichever comes first (may be negative). */
    public long remainingNanos() {
        long now = System.nanoTime();
        return Math.min(deadline - now, stopBy == Long.MAX_VALUE ? Long.MAX_VALUE : stopBy - now);
    }

    public void check() {
        long now = System.nanoTime();
        // overdue first: a request answered 504 at its deadline has its connection closed too (cancelled), and is
        // counted as overdue
        if (now - deadline > 0) {
            throw new DeadlineExceededException(overdueMessage(budget), false);
        }
        if (cancelled != null) {
            throw new DeadlineExceededException(cancelled, true);
        }
        if (stopBy != Long.MAX_VALUE && now - stopBy > 0) {
            throw new DeadlineExceededException("the server is shutting down", true);
        }
    }

    /** What an overdue request is told, wherever its deadline is noticed. */
    public static String overdueMessage(Duration budget) {
        return "the request did not finish within its deadline of " + budget.toSeconds()
                + " s (explain.limits.deadline)";
    }

    /** At shutdown: every request still running ends at its first check after {@code cutOff} from now. */
    public static void stopAllAfter(Duration cutOff) {
        stopBy = System.nanoTime() + cutOff.toNanos();
    }

    /** Clears the shutdown cut-off (tests). */
    public static void resetStop() {
        stopBy = Long.MAX_VALUE;
    }

    /** Restores the previous deadline of the thread. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
