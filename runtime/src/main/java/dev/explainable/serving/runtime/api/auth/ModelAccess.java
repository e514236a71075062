package dev.explainable.serving.runtime.api.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * What a request needs on the model, as a SubjectAccessReview asks it: {@code create} on
 * {@code explainablemodels/explain} for {@code :explain}, {@code create} on {@code explainablemodels/predict} for
 * {@code :predict}, {@code get} on {@code explainablemodels} for everything else that is not the page's own static
 * files ({@code GET /runtime/model}, the AI Platform and Vertex GETs, any other path: fail closed).
 */
public record ModelAccess(String verb, String subresource) {

    public static final String GROUP = "serving.explainable.dev";
    public static final String RESOURCE = "explainablemodels";

    public static final ModelAccess EXPLAIN = new ModelAccess("create", "explain");
    public static final ModelAccess PREDICT = new ModelAccess("create", "predict");
    public static final ModelAccess GET = new ModelAccess("get", "");

    /** The page's static files: no model data, served to anyone (the page asks the API with the caller's token). */
    private static final Set<String> PAGE = Set.of("/", "/index.html", "/page.css", "/page.js", "/sample.png");

    /**
     * The access a request needs, or null for the page's static files. {@code normalizedPath} is the path with dot
     * segments resolved (Vert.x' {@code normalizedPath()}, which the REST layer routes by); matrix parameters are
     * dropped and escapes decoded here as the REST layer does before it reads {@code :explain} or {@code :predict}.
     */
    public static ModelAccess of(String method, String normalizedPath) {
        if (("GET".equals(method) || "HEAD".equals(method)) && isPageFile(normalizedPath)) {
            return null;
        }
        if (!"POST".equals(method)) {
            return GET;
        }
        String path = decode(withoutMatrixParameters(normalizedPath));
        if (path != null && path.endsWith(":predict")) {
            return PREDICT;
        }
        // :explain, and any other POST (the REST layer answers those 404): the stronger of the two
        return EXPLAIN;
    }

    /** The RBAC rule's resource: {@code explainablemodels} or {@code explainablemodels/<subresource>}. */
    public String rbacResource() {
        return subresource.isEmpty() ? RESOURCE : RESOURCE + "/" + subresource;
    }

    static boolean isPageFile(String path) {
        if (path == null) {
            return false;
        }
        if (PAGE.contains(path)) {
            return true;
        }
        return path.startsWith("/page/")
                && path.endsWith(".js")
                && path.indexOf('/', "/page/".length()) < 0
                && path.chars().allMatch(c -> c == '/' || c == '.' || c == '-' || Character.isLetterOrDigit(c));
    }

    static String withoutMatrixParameters(String path) {
        if (path == null || path.indexOf(';') < 0) {
            return path;
        }
        StringBuilder b = new StringBuilder(path.length());
        boolean inParameters = false;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '/') {
                inParameters = false;
            } else if (c == ';') {
                inParameters = true;
            }
            if (!inParameters) {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Percent-escapes decoded as UTF-8 ({@code +} stays); null for a malformed escape. */
    static String decode(String path) {
        if (path == null || path.indexOf('%') < 0) {
            return path;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%') {
                if (i + 2 >= path.length()) {
                    return null;
                }
                int hi = Character.digit(path.charAt(i + 1), 16);
                int lo = Character.digit(path.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
