package dev.explainable.serving.runtime.work;

/** The request ran out of time (its deadline, the client left, or the process is stopping). */
public class DeadlineExceededException extends RuntimeException {

    private final boolean cancelled;

    public DeadlineExceededException(String message, boolean cancelled) {
        super(message);
        this.cancelled = cancelled;
    }

    /** The client went away or shutdown cancelled it, rather than the deadline passing. */
    public boolean cancelled() {
        return cancelled;
    }
}
