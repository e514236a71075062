package dev.explainable.serving.runtime.api.errors;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import io.vertx.core.json.JsonObject;

/**
 * The error answer of each URL family: Google's API error {@code {"error": {"code", "message", "status"}}} on Vertex
 * AI's URLs, {@code {"error": "..."}} on AI Platform's and any other.
 */
public final class ErrorBody {

    /** A path on Vertex's URL family: its errors take Google's shape. */
    private static final Pattern VERTEX_PATH =
            Pattern.compile("/v1(beta1)?/projects/[^/]+/locations/[^/]+/endpoints/.*");

    private ErrorBody() {}

    /** True for a path on Vertex's URL family. */
    public static boolean onVertexPath(String path) {
        return path != null && VERTEX_PATH.matcher(path).matches();
    }

    /** The error body for a request to {@code path} (null: AI Platform's shape). */
    public static Object of(String path, int status, String message) {
        return onVertexPath(path) ? google(status, message) : Map.of("error", message);
    }

    /** The error body as JSON text, for the HTTP layer, which answers before the REST layer. */
    public static String encode(String path, int status, String message) {
        return onVertexPath(path)
                ? new JsonObject(google(status, message)).encode()
                : new JsonObject().put("error", message).encode();
    }

    /** Google's API error: {@code {"error": {"code", "message", "status"}}}. */
    public static Map<String, Object> google(int code, String message) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("code", code);
        e.put("message", message);
        e.put("status", status(code));
        return Map.of("error", e);
    }

    /** The canonical status name Google's APIs pair with an HTTP status. */
    static String status(int code) {
        return switch (code) {
            case 400, 411, 413, 415 -> "INVALID_ARGUMENT";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "NOT_FOUND";
            case 405 -> "UNIMPLEMENTED";
            case 408, 504 -> "DEADLINE_EXCEEDED";
            case 409 -> "ABORTED";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 499 -> "CANCELLED";
            case 501 -> "UNIMPLEMENTED";
            case 503 -> "UNAVAILABLE";
            default -> code >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
        };
    }
}
