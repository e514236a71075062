package dev.explainable.serving.operator.management.vertex;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.client.KubernetesClient;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.management.Annotations;
import dev.explainable.serving.operator.management.GoogleError;
import dev.explainable.serving.operator.management.ModelChanges;
import dev.explainable.serving.operator.management.VersionProgress;

/**
 * Vertex's long-running operations, answered from what they changed: an operation's id says what it waits for
 * ({@code deploy_<endpoint>_<deployed model>-<generation>}: that version Ready or failed in a status that has seen at
 * least that generation), so nothing is stored, every poll reads the truth, and the id alone finds it on each of the
 * three URL families clients poll ({@code /v1/}, {@code /v1beta1/}, {@code /ui/}) and at location level
 * ({@code gcloud ai operations describe ID}). Uploads, endpoint creations, undeploys and deletes are done when
 * answered: what they change is written before the answer. Names stay nested as Vertex's are (gcloud parses them);
 * {@code metadata} and {@code response} carry the {@code @type}s the SDK needs.
 */
final class VertexOperations {

    static final String UPLOAD = "upload";
    static final String CREATE_ENDPOINT = "createendpoint";
    static final String DEPLOY = "deploy";
    static final String UNDEPLOY = "undeploy";
    static final String DELETE_MODEL = "deletemodel";
    static final String DELETE_ENDPOINT = "deleteendpoint";
    static final String DELETE_JOB = "deletejob";

    /** google.rpc.Code values. */
    static final int NOT_FOUND = 5;

    static final int FAILED_PRECONDITION = 9;

    private static final Pattern ID =
            Pattern.compile("(upload|createendpoint|deploy|undeploy|deletemodel|deleteendpoint|deletejob)"
                    + "_([a-z0-9][-a-z0-9]{0,62})(?:_([a-z0-9][-a-z0-9]{0,62}))?-(\\d{1,18})");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An operation's id: what it did, to what, and the generation it made. */
    record Id(String kind, String target, String deployedModel, long generation) {
        String text() {
            return kind + "_" + target + (deployedModel == null ? "" : "_" + deployedModel) + "-" + generation;
        }
    }

    private VertexOperations() {}

    static Id parse(String id) {
        Matcher m = ID.matcher(id);
        if (!m.matches()) {
            throw GoogleError.notFound("no operation " + (id.length() > 100 ? id.substring(0, 100) + "..." : id));
        }
        return new Id(m.group(1), m.group(2), m.group(3), Long.parseLong(m.group(4)));
    }

    /** The operation's full name, nested under the model or endpoint it changed (as Vertex names them). */
    static String name(Where at, Id id) {
        String parent = switch (id.kind()) {
            case UPLOAD, DELETE_MODEL -> at.parent() + "/models/" + id.target();
            case DELETE_JOB -> at.parent();
            default -> at.parent() + "/endpoints/" + id.target();
        };
        return parent + "/operations/" + id.text();
    }

    /** Operation {@code id} as it stands now, read with the caller's client. */
    static VertexWire.Operation get(KubernetesClient client, Where at, Id id) {
        switch (id.kind()) {
            case DEPLOY -> {
                return settle(client, at, id, Endpoints.read(client, at, id.target()));
            }
            case UPLOAD -> {
                if (UploadedModels.read(client, at, id.target()) == null) {
                    return failed(at, id, NOT_FOUND, "model " + id.target() + " was deleted");
                }
                return done(at, id, uploadResponse(at, id.target()));
            }
            case CREATE_ENDPOINT -> {
                ExplainableModel m = Endpoints.read(client, at, id.target());
                if (m == null) {
                    return failed(at, id, NOT_FOUND, "endpoint " + id.target() + " was deleted");
                }
                return done(at, id, typed(at, "Endpoint", JSON.valueToTree(Endpoints.toWire(at, m))));
            }
            default -> {
                return done(at, id, null);
            }
        }
    }

    /**
     * A deploy operation, after what its end changes: a traffic split that waits for the deployed model
     * ({@link Annotations#TRAFFIC_ON_READY}) moves the traffic once it is Ready, and is dropped once it failed or is
     * gone; the previous deployed model serves until then. Clients poll a deploy until it is done, so the move happens
     * with the poll that sees it Ready (or with the deploy's own answer, when it already is).
     */
    static VertexWire.Operation settle(KubernetesClient client, Where at, Id id, ExplainableModel m) {
        String pending = m == null || m.getMetadata().getAnnotations() == null
                ? null
                : m.getMetadata().getAnnotations().get(Annotations.TRAFFIC_ON_READY);
        if (pending == null || !pending.equals(id.deployedModel())) {
            return deploy(at, id, m);
        }
        VersionProgress.State state =
                VersionProgress.of(m, id.deployedModel(), id.generation()).state();
        if (state == VersionProgress.State.WAITING) {
            return deploy(at, id, m);
        }
        ExplainableModel settled = ModelChanges.change(client, () -> Endpoints.find(client, at, id.target()), x -> {
            if (id.deployedModel().equals(x.getMetadata().getAnnotations().get(Annotations.TRAFFIC_ON_READY))) {
                x.getMetadata().getAnnotations().remove(Annotations.TRAFFIC_ON_READY);
                boolean deployed = x.getSpec().getVersions().stream()
                        .anyMatch(v -> v.getName().equals(id.deployedModel()));
                if (state == VersionProgress.State.READY && deployed) {
                    x.getSpec().setDefaultVersion(id.deployedModel());
                }
            }
            return x;
        });
        return deploy(at, id, settled);
    }

    /** A deploy operation as endpoint {@code m} (null: gone) answers it. Pure. */
    static VertexWire.Operation deploy(Where at, Id id, ExplainableModel m) {
        VersionProgress p = VersionProgress.of(m, id.deployedModel(), id.generation());
        return switch (p.state()) {
            case GONE ->
                failed(
                        at,
                        id,
                        NOT_FOUND,
                        m == null
                                ? "endpoint " + id.target() + " was deleted"
                                : "deployed model " + id.deployedModel() + " was undeployed");
            case READY -> {
                ObjectNode r = JSON.createObjectNode();
                r.set("deployedModel", JSON.valueToTree(Endpoints.deployedModel(at, m, id.deployedModel())));
                yield done(at, id, typed(at, "DeployModelResponse", r));
            }
            case FAILED ->
                failed(
                        at,
                        id,
                        FAILED_PRECONDITION,
                        "deployed model " + id.deployedModel() + " of endpoint " + id.target() + " failed: "
                                + p.message());
            case WAITING -> new VertexWire.Operation(name(at, id), metadata(at, id), false, null, null);
        };
    }

    /** An operation answered as done; {@code response} null: the kind's empty response. */
    static VertexWire.Operation done(Where at, Id id, JsonNode response) {
        JsonNode r = response;
        if (r == null) {
            r = switch (id.kind()) {
                case UNDEPLOY -> typed(at, "UndeployModelResponse", JSON.createObjectNode());
                default -> {
                    ObjectNode empty = JSON.createObjectNode();
                    empty.put("@type", "type.googleapis.com/google.protobuf.Empty");
                    yield empty;
                }
            };
        }
        return new VertexWire.Operation(name(at, id), metadata(at, id), true, null, r);
    }

    static JsonNode uploadResponse(Where at, String model) {
        ObjectNode r = JSON.createObjectNode();
        r.put("model", at.parent() + "/models/" + model);
        r.put("modelVersionId", UploadedModels.VERSION);
        return typed(at, "UploadModelResponse", r);
    }

    private static VertexWire.Operation failed(Where at, Id id, int code, String message) {
        return new VertexWire.Operation(
                name(at, id), metadata(at, id), true, new VertexWire.Status(code, message), null);
    }

    private static JsonNode metadata(Where at, Id id) {
        String type = switch (id.kind()) {
            case UPLOAD -> "UploadModelOperationMetadata";
            case CREATE_ENDPOINT -> "CreateEndpointOperationMetadata";
            case DEPLOY -> "DeployModelOperationMetadata";
            case UNDEPLOY -> "UndeployModelOperationMetadata";
            default -> "DeleteOperationMetadata";
        };
        ObjectNode m = JSON.createObjectNode();
        m.set("genericMetadata", JSON.createObjectNode());
        return typed(at, type, m);
    }

    /** {@code body} with {@code @type} first, in the API version the caller used. */
    static ObjectNode typed(Where at, String message, JsonNode body) {
        ObjectNode out = JSON.createObjectNode();
        out.put("@type", VertexWire.TYPE_PREFIX + at.apiVersion() + "." + message);
        out.setAll((ObjectNode) body);
        return out;
    }
}
