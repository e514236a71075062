package dev.explainable.serving.runtime.api.http;

/**
 * The headers between two versions of a model: the forwarding runtime marks the request it forwards, and the
 * receiving runtime ({@link HttpGuards}) marks every answer to such a request with the model and version it serves,
 * which the forwarding runtime requires before it passes the answer on.
 */
public final class ForwardedMark {

    /** Set on a forwarded request: the receiving runtime answers for itself. */
    public static final String FORWARDED_HEADER = "X-Explainable-Forwarded";

    /** Set by a runtime on its answers to forwarded requests: {@code <model>/<version>} it serves. */
    public static final String SERVED_BY_HEADER = "X-Explainable-Served-By";

    private ForwardedMark() {}

    /** The mark of the runtime serving {@code version} of {@code model} ({@link #SERVED_BY_HEADER}). */
    public static String servedBy(String model, String version) {
        return model + "/" + version;
    }
}
