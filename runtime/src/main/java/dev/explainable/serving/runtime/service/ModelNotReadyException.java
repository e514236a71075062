package dev.explainable.serving.runtime.service;

/** A request came while the model is loading or after it failed to load; the message says which. */
public class ModelNotReadyException extends RuntimeException {
    public ModelNotReadyException(String message) {
        super(message);
    }
}
