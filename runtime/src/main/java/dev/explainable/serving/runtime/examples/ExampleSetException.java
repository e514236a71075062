package dev.explainable.serving.runtime.examples;

/** An example set that cannot be served (over a bound, nothing usable in it, embeddings that do not agree). */
public final class ExampleSetException extends RuntimeException {

    public ExampleSetException(String message) {
        super(message);
    }
}
