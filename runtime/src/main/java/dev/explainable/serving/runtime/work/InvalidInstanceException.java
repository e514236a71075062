package dev.explainable.serving.runtime.work;

/** The model refused an instance the request sent (TensorFlow's InvalidArgument on the request's values). */
public class InvalidInstanceException extends RuntimeException {
    public InvalidInstanceException(String message) {
        super(message);
    }
}
