package dev.explainable.serving.runtime.work;

/** A request asks for more than a configured limit allows; the message names the limit's setting. */
public class LimitExceededException extends RuntimeException {

    private final boolean bodyTooLarge;

    public LimitExceededException(String message) {
        this(message, false);
    }

    private LimitExceededException(String message, boolean bodyTooLarge) {
        super(message);
        this.bodyTooLarge = bodyTooLarge;
    }

    /** The request body itself is too large (HTTP 413 rather than 400). */
    public static LimitExceededException body(long maxBytes) {
        return new LimitExceededException("request body is larger than the limit of " + maxBytes
                + " bytes (explain.max-request-bytes)", true);
    }

    public boolean bodyTooLarge() {
        return bodyTooLarge;
    }
}
