package dev.explainable.serving.runtime.work;

/** TensorFlow could not allocate what a run needed; the request may succeed later or on a smaller batch. */
public class ResourceExhaustedException extends RuntimeException {
    public ResourceExhaustedException(String message) {
        super(message);
    }
}
