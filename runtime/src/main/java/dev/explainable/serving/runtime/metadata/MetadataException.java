package dev.explainable.serving.runtime.metadata;

/** The explanation metadata is missing, malformed or does not fit the model. */
public class MetadataException extends RuntimeException {
    public MetadataException(String message) {
        super(message);
    }

    public MetadataException(String message, Throwable cause) {
        super(message, cause);
    }
}
