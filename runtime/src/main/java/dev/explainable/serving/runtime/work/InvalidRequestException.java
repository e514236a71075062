package dev.explainable.serving.runtime.work;

/** A request that cannot be served as sent (a bad parameter or instance); the message says what to change. */
public class InvalidRequestException extends RuntimeException {
    public InvalidRequestException(String message) {
        super(message);
    }
}
