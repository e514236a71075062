package dev.explainable.serving.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One request as the API server's audit log recorded it (stage ResponseComplete): who made it (the impersonated
 * identity where there is one), the RBAC verb and resource, and the response code.
 */
public record AuditedCall(
        String user, String verb, String group, String resource, String subresource, String namespace, int code) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The completed requests in an audit log written with {@code --audit-log-format=json}. */
    public static List<AuditedCall> read(Path log) throws IOException {
        List<AuditedCall> calls = new ArrayList<>();
        if (!Files.exists(log)) {
            return calls;
        }
        for (String line : Files.readAllLines(log)) {
            JsonNode e = JSON.readTree(line);
            if (!"ResponseComplete".equals(e.path("stage").asText())
                    || e.path("objectRef").isMissingNode()) {
                continue;
            }
            JsonNode ref = e.path("objectRef");
            String user = e.path("impersonatedUser")
                    .path("username")
                    .asText(e.path("user").path("username").asText());
            calls.add(new AuditedCall(
                    user,
                    e.path("verb").asText(),
                    ref.path("apiGroup").asText(""),
                    ref.path("resource").asText(),
                    ref.path("subresource").asText(""),
                    ref.path("namespace").asText(""),
                    e.path("responseStatus").path("code").asInt()));
        }
        return calls;
    }

    /** "group/resource[/subresource]", as an RBAC rule names it ("" for the core group). */
    public String rbacResource() {
        return group + "/" + resource + (subresource.isEmpty() ? "" : "/" + subresource);
    }

    /**
     * The "group/resource verb" permissions this request needed: a patch that created its object (server-side apply
     * of a new object, answered 201) is authorized as a patch and as a create.
     */
    public Set<String> permissions() {
        String p = rbacResource() + " " + verb;
        return verb.equals("patch") && code == 201 ? Set.of(p, rbacResource() + " create") : Set.of(p);
    }
}
