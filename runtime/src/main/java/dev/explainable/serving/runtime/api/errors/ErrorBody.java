package dev.explainable.serving.runtime.api.errors;

import java.util.regex.Pattern;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

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
        return onVertexPath(path) ? GoogleError.of(status, message) : new AiPlatformError(message);
    }

    /** The error body as JSON text, for the HTTP layer, which answers before the REST layer. */
    public static String encode(String path, int status, String message) {
        return JsonObject.mapFrom(of(path, status, message)).encode();
    }

    /** AI Platform's error: {@code {"error": "..."}}. */
    @Schema(name = "AiPlatformError")
    public record AiPlatformError(String error) {}

    /** Google's API error: {@code {"error": {"code", "message", "status"}}}. */
    @Schema(name = "GoogleError")
    public record GoogleError(Status error) {

        public static GoogleError of(int code, String message) {
            return new GoogleError(new Status(code, message, status(code)));
        }
    }

    /** The HTTP status, the message, and the canonical status name Google's APIs pair with that HTTP status. */
    @Schema(name = "GoogleErrorStatus")
    @JsonPropertyOrder({"code", "message", "status"})
    public record Status(int code, String message, String status) {}

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
