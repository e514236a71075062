package dev.explainable.serving.runtime.work;

/** Every slot and every queue place is taken, or the process is stopping: the client should retry later. */
public class OverloadedException extends RuntimeException {

    private final long retryAfterSeconds;
    private final boolean stopping;

    public OverloadedException(String message, long retryAfterSeconds, boolean stopping) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
        this.stopping = stopping;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The process is shutting down (503) rather than busy (429). */
    public boolean stopping() {
        return stopping;
    }
}
