package dev.explainable.serving.runtime.work;

/** A request asks for more than a configured limit allows; the message names the limit's setting. */
public class LimitExceededException extends RuntimeException {
    public LimitExceededException(String message) {
        super(message);
    }
}
