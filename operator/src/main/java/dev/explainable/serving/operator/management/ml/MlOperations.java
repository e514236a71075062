package dev.explainable.serving.operator.management.ml;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.client.KubernetesClient;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.management.GoogleError;
import dev.explainable.serving.operator.management.VersionProgress;

/**
 * AI Platform's long-running operations, answered from the ExplainableModel's status: an operation's name says what
 * it waits for ({@code create_<model>_<version>-<generation>}: that version Ready or failed in a status that has seen
 * at least that generation), so nothing is stored and every poll reads the truth. A create is {@code done} only when
 * the version is Ready (a script calls {@code explain} right after gcloud returns) or has failed ({@code error} with
 * the status' reason and message). Deletes are done when answered: the objects go with the spec.
 */
final class MlOperations {

    static final String CREATE = "create";
    static final String DELETE_VERSION = "delete";
    static final String DELETE_MODEL = "deletemodel";
    /** google.rpc.Code FAILED_PRECONDITION, NOT_FOUND. */
    static final int FAILED_PRECONDITION = 9;

    static final int NOT_FOUND = 5;

    private static final Pattern NAME =
            Pattern.compile("(create|delete|deletemodel)_([a-z][-a-z0-9]*)(?:_([a-z][-a-z0-9]*))?-(\\d{1,18})");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A parsed operation id. */
    record Id(String kind, String model, String version, long generation) {
        String text() {
            return kind + "_" + model + (version == null ? "" : "_" + version) + "-" + generation;
        }
    }

    private MlOperations() {}

    static Id parse(String id) {
        Matcher m = NAME.matcher(id);
        if (!m.matches()) {
            throw GoogleError.notFound("no operation " + (id.length() > 100 ? id.substring(0, 100) + "..." : id));
        }
        return new Id(m.group(1), m.group(2), m.group(3), Long.parseLong(m.group(4)));
    }

    /** The operation {@code id} of project {@code project}, as the model's status answers it now. */
    static MlWire.Operation get(KubernetesClient client, String project, Id id) {
        if (!id.kind().equals(CREATE)) {
            return done(project, id, null);
        }
        return of(
                project,
                id,
                client.resources(ExplainableModel.class)
                        .inNamespace(project)
                        .withName(id.model())
                        .get());
    }

    /** A create operation as model {@code m} (null: gone) answers it. Pure. */
    static MlWire.Operation of(String project, Id id, ExplainableModel m) {
        VersionProgress progress = VersionProgress.of(m, id.version(), id.generation());
        if (progress.state() == VersionProgress.State.GONE) {
            return failed(
                    project,
                    id,
                    NOT_FOUND,
                    m == null ? "model " + id.model() + " was deleted" : "version " + id.version() + " was deleted");
        }
        MlWire.Version version = m.getSpec().getVersions().stream()
                .filter(x -> x.getName().equals(id.version()))
                .findFirst()
                .map(v -> VersionMapping.toWire(project, m, v))
                .orElseThrow();
        return switch (progress.state()) {
            case READY ->
                new MlWire.Operation(name(project, id), metadata(project, id, version), true, null, response(version));
            case FAILED ->
                new MlWire.Operation(
                        name(project, id),
                        metadata(project, id, version),
                        true,
                        new MlWire.Status(
                                FAILED_PRECONDITION,
                                "version " + id.version() + " of model " + id.model() + " failed: "
                                        + progress.message()),
                        null);
            default -> new MlWire.Operation(name(project, id), metadata(project, id, version), false, null, null);
        };
    }

    /** An operation answered as done, with nothing to wait for. */
    static MlWire.Operation done(String project, Id id, MlWire.Version version) {
        return new MlWire.Operation(name(project, id), metadata(project, id, version), true, null, null);
    }

    private static MlWire.Operation failed(String project, Id id, int code, String message) {
        return new MlWire.Operation(
                name(project, id), metadata(project, id, null), true, new MlWire.Status(code, message), null);
    }

    static String name(String project, Id id) {
        return "projects/" + project + "/operations/" + id.text();
    }

    private static MlWire.OperationMetadata metadata(String project, Id id, MlWire.Version version) {
        String type = switch (id.kind()) {
            case CREATE -> "CREATE_VERSION";
            case DELETE_VERSION -> "DELETE_VERSION";
            default -> "DELETE_MODEL";
        };
        return new MlWire.OperationMetadata(
                MlWire.OperationMetadata.TYPE,
                null,
                type,
                "projects/" + project + "/models/" + id.model(),
                version,
                false);
    }

    private static ObjectNode response(MlWire.Version version) {
        ObjectNode n = JSON.valueToTree(version);
        ObjectNode out = JSON.createObjectNode();
        out.put("@type", "type.googleapis.com/google.cloud.ml.v1.Version");
        out.setAll(n);
        return out;
    }
}
