package dev.explainable.serving.runtime.api.errors;

/** A failure answered as {@code {"error": message}} with the given HTTP status. */
public class ApiException extends RuntimeException {
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    /** 413: a body larger than {@code explain.max-request-bytes}, whoever finds it. */
    public static ApiException tooLarge(long maxBytes) {
        return new ApiException(
                413, "request body is larger than the limit of " + maxBytes + " bytes (explain.max-request-bytes)");
    }

    public int status() {
        return status;
    }
}
