package dev.explainable.serving.runtime.work;

/**
 * An instance the request sent cannot be used: it does not match the model's inputs, or the model refused its
 * values (TensorFlow's InvalidArgument). The message says what, without internals.
 */
public class InvalidInstanceException extends InvalidRequestException {
    public InvalidInstanceException(String message) {
        super(message);
    }
}
