package dev.explainable.serving.operator.management;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * A management call refused or failed, as Google's APIs answer it: {@code {"error": {"code", "message", "status"}}}
 * with the HTTP status of the canonical code. The API server's refusals of the caller's writes become the codes
 * gcloud and the SDK know ({@link #of(KubernetesClientException)}), so Kubernetes RBAC decides as it does for kubectl.
 */
public final class GoogleError extends RuntimeException {

    private final int httpStatus;
    private final String status;

    public GoogleError(int httpStatus, String status, String message) {
        super(message);
        this.httpStatus = httpStatus;
        this.status = status;
    }

    public static GoogleError invalid(String message) {
        return new GoogleError(400, "INVALID_ARGUMENT", message);
    }

    public static GoogleError notFound(String message) {
        return new GoogleError(404, "NOT_FOUND", message);
    }

    public static GoogleError failedPrecondition(String message) {
        return new GoogleError(400, "FAILED_PRECONDITION", message);
    }

    public static GoogleError unauthenticated(String message) {
        return new GoogleError(401, "UNAUTHENTICATED", message);
    }

    /**
     * The API server's answer to the caller's request: 401 and 403 as Google's UNAUTHENTICATED and PERMISSION_DENIED,
     * 404, 409 (ALREADY_EXISTS for a create, ABORTED for a lost update), 400 and 422 (the CRD's validation) as
     * INVALID_ARGUMENT with the API server's message; a request that timed out is DEADLINE_EXCEEDED (504: it may
     * have been applied); anything else, the API server unreachable included, is UNAVAILABLE (503).
     */
    public static GoogleError of(KubernetesClientException e) {
        String detail = e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage()
                : e.getMessage();
        return switch (e.getCode()) {
            case 401 -> unauthenticated("the Kubernetes API server did not accept the bearer token");
            case 403 -> new GoogleError(403, "PERMISSION_DENIED", detail);
            case 404 -> notFound(detail);
            case 409 ->
                e.getStatus() != null && "AlreadyExists".equals(e.getStatus().getReason())
                        ? new GoogleError(409, "ALREADY_EXISTS", detail)
                        : new GoogleError(409, "ABORTED", detail);
            case 400, 422 -> invalid(detail);
            default ->
                timedOut(e)
                        // the request may have been made: say so, so that a retry reads the object back first
                        ? new GoogleError(
                                504,
                                "DEADLINE_EXCEEDED",
                                "the Kubernetes API server did not answer in time; the change may or may not have"
                                        + " been made: read the object back before retrying")
                        : new GoogleError(503, "UNAVAILABLE", "the Kubernetes API server could not be reached");
        };
    }

    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.InterruptedIOException || t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String status() {
        return status;
    }

    /** Google's error body. */
    public record Body(Error error) {
        public record Error(int code, String message, String status) {}
    }

    public Body body() {
        return new Body(new Body.Error(httpStatus, getMessage(), status));
    }
}
