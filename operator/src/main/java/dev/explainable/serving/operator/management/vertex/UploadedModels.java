package dev.explainable.serving.operator.management.vertex;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import dev.explainable.serving.operator.api.VertexExplanationSpec;
import dev.explainable.serving.operator.management.GoogleError;
import dev.explainable.serving.operator.management.Paging;
import dev.explainable.serving.operator.management.RequestFields;

/**
 * Vertex's {@code projects.locations.models}: upload, get, list and delete. An uploaded model is stored, not served
 * (Vertex serves a model only once it is deployed to an endpoint): a ConfigMap {@code vertex-model-<id>} in the
 * project's namespace, labelled {@value #LABEL}, holding the model's display name, artifact URI, container image and
 * explanation spec as {@value #DATA}. Deploying it makes a version of an endpoint (an ExplainableModel) from that; a
 * batch job reads its artifact. ConfigMaps, because a stored model is data that no controller acts on: it needs no
 * CRD, and {@code kubectl get configmaps -l serving.explainable.dev/vertex-model} lists them. Each model has one
 * version, {@value #VERSION} (alias {@code default}); a new version is a new upload.
 */
final class UploadedModels {

    static final String LABEL = "serving.explainable.dev/vertex-model";
    static final String PREFIX = "vertex-model-";
    static final String DATA = "model.json";
    static final String VERSION = "1";

    static final Set<String> KNOWN = Set.of(
            "displayName",
            "description",
            "artifactUri",
            "containerSpec",
            "explanationSpec",
            "labels",
            "versionAliases",
            "versionDescription", // accepted: one version per model
            "predictSchemata", // accepted: the runtime reads the SavedModel's signature
            "metadataSchemaUri");
    static final Map<String, String> REFUSED_UPLOAD = Map.of(
            "parentModel", "model versions are not supported here: upload a new model (it gets its own id)",
            "serviceAccount", "a model's identity is its endpoint's spec.storage.serviceAccountName (kubectl)");

    /** Google's prebuilt TensorFlow serving images: the runtime serves what they would. */
    static final Pattern TENSORFLOW_IMAGE = Pattern.compile(
            "^(gcr\\.io/cloud-aiplatform|([a-z0-9]+-)?docker\\.pkg\\.dev/vertex-ai(-restricted)?)/prediction/"
                    + "tf2?-(cpu|gpu)\\.[0-9]+-[0-9]+(:[-\\w.]+)?$");

    static final Pattern OTHER_FRAMEWORK = Pattern.compile("/prediction/(sklearn|xgboost|pytorch)-");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a ConfigMap keeps of an uploaded model. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Stored(
            String displayName, String description, String artifactUri, String imageUri, JsonNode explanationSpec) {

        VertexExplanationSpec explanation() {
            try {
                return explanationSpec == null ? null : JSON.treeToValue(explanationSpec, VertexExplanationSpec.class);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("stored explanation spec unreadable", e);
            }
        }
    }

    /** A stored model as read: its id, what it keeps, and the ConfigMap. */
    record Found(String id, Stored stored, ConfigMap configMap) {}

    private UploadedModels() {}

    static VertexWire.Operation upload(KubernetesClient client, Where at, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw GoogleError.invalid("the request body must be an UploadModelRequest object");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (REFUSED_UPLOAD.containsKey(f)) {
                throw GoogleError.invalid(f + ": " + REFUSED_UPLOAD.get(f));
            }
            if (!f.equals("model") && !f.equals("modelId")) {
                throw GoogleError.invalid("Invalid JSON payload received. Unknown name \"" + f + "\"");
            }
        }
        JsonNode model = body.get("model");
        if (model == null || !model.isObject()) {
            throw GoogleError.invalid("model is required: the Model to upload");
        }
        Stored stored = fromRequest(model);
        Map<String, String> labels = RequestFields.labels(model.get("labels"), "model.labels");
        String given = RequestFields.text(body, "modelId");
        String id = VertexNames.createWithId(
                given == null ? null : VertexNames.check(given, VertexNames.MODEL, "modelId"),
                VertexNames.fromDisplayName(stored.displayName(), "model"),
                "model " + at.parent() + "/models/",
                candidate -> {
                    Map<String, String> all = new java.util.LinkedHashMap<>(labels);
                    all.put(LABEL, candidate);
                    client.resource(new ConfigMapBuilder()
                                    .withNewMetadata()
                                    .withName(PREFIX + candidate)
                                    .withNamespace(at.project())
                                    .withLabels(all)
                                    .endMetadata()
                                    .withData(Map.of(DATA, write(stored)))
                                    .build())
                            .create();
                    return candidate;
                });
        VertexOperations.Id op = new VertexOperations.Id(VertexOperations.UPLOAD, id, null, 0);
        return VertexOperations.done(at, op, VertexOperations.uploadResponse(at, id));
    }

    /** The model a request describes, checked; nothing about it is guessed. */
    static Stored fromRequest(JsonNode model) {
        for (Iterator<String> it = model.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!KNOWN.contains(f)) {
                throw GoogleError.invalid("Invalid JSON payload received. Unknown name \"" + f + "\" at 'model'");
            }
        }
        String displayName = RequestFields.text(model, "displayName");
        if (displayName == null || displayName.isBlank() || displayName.length() > 128) {
            throw GoogleError.invalid("model.displayName is required, at most 128 characters");
        }
        String description = RequestFields.text(model, "description");
        if (description != null && description.length() > 4096) {
            throw GoogleError.invalid("model.description has more than 4096 characters");
        }
        String artifact = RequestFields.text(model, "artifactUri");
        if (artifact == null
                || !artifact.matches(
                        "^((gs|s3)://[a-z0-9][a-z0-9._-]{1,221}[a-z0-9](/.*)?|pvc://[a-z0-9]([-a-z0-9]*[a-z0-9])?(/.*)?|https?://.+)$")
                || artifact.length() > 2048) {
            throw GoogleError.invalid("model.artifactUri is required: the SavedModel folder (gs://, s3://,"
                    + " pvc://<claim>/<path>, or an http(s):// archive)");
        }
        String image = image(model.get("containerSpec"));
        JsonNode aliases = model.get("versionAliases");
        if (aliases != null && !aliases.isNull()) {
            for (JsonNode a : aliases) {
                if (!a.isTextual() || !a.asText().equals("default")) {
                    throw GoogleError.invalid("model.versionAliases: models have one version here, alias"
                            + " 'default'; upload a new model instead");
                }
            }
        }
        VertexExplanationSpec spec =
                ExplanationSpecs.fromRequest(model.get("explanationSpec"), "model.explanationSpec");
        return new Stored(displayName, description, artifact, image, ExplanationSpecs.toJson(spec));
    }

    private static String image(JsonNode container) {
        if (container == null || container.isNull()) {
            return null;
        }
        if (!container.isObject()) {
            throw GoogleError.invalid("model.containerSpec must be a ModelContainerSpec object");
        }
        for (Iterator<String> it = container.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("imageUri")) {
                throw GoogleError.invalid("model.containerSpec." + f + ": custom containers are not supported: the"
                        + " runtime serves TensorFlow SavedModels (give a prebuilt TensorFlow image only)");
            }
        }
        String image = RequestFields.text(container, "imageUri");
        if (image == null) {
            return null;
        }
        if (OTHER_FRAMEWORK.matcher(image).find()) {
            throw GoogleError.invalid("model.containerSpec.imageUri " + image
                    + ": this framework is not supported: TensorFlow SavedModels only");
        }
        if (!TENSORFLOW_IMAGE.matcher(image).matches()) {
            throw GoogleError.invalid("model.containerSpec.imageUri " + image + ": custom containers are not"
                    + " supported: give one of Google's prebuilt TensorFlow images (.../prediction/tf2-cpu.2-15)");
        }
        return image;
    }

    static VertexWire.Model get(KubernetesClient client, Where at, String model) {
        Found f = find(client, at, model);
        List<VertexWire.DeployedModelRef> deployed;
        try {
            deployed = Endpoints.deployedFrom(client, at, f.id());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 403) {
                throw e;
            }
            deployed = null; // a caller who may read models but not list endpoints still reads the model
        }
        return toWire(at, f, deployed);
    }

    static VertexWire.ListModels list(KubernetesClient client, Where at, Paging paging) {
        List<ConfigMap> all = new ArrayList<>(client.configMaps()
                .inNamespace(at.project())
                .withLabel(LABEL)
                .list()
                .getItems());
        all.sort(Comparator.comparing(c -> c.getMetadata().getName()));
        List<VertexWire.Model> page = new ArrayList<>();
        for (ConfigMap cm : paging.page(all)) {
            Found f = found(cm);
            if (f != null) {
                page.add(toWire(at, f, null));
            }
        }
        return new VertexWire.ListModels(page.isEmpty() ? null : page, paging.next(all.size()));
    }

    /** Vertex's rule: a model deployed to an endpoint is not deleted. */
    static VertexWire.Operation delete(KubernetesClient client, Where at, String model) {
        Found f = find(client, at, model);
        List<VertexWire.DeployedModelRef> deployed = Endpoints.deployedFrom(client, at, f.id());
        if (!deployed.isEmpty()) {
            throw GoogleError.failedPrecondition("model " + f.id() + " is deployed to "
                    + String.join(
                            ", ",
                            deployed.stream()
                                    .map(d -> d.endpoint() + " as " + d.deployedModelId())
                                    .toList())
                    + ": undeploy it first");
        }
        client.resource(f.configMap()).delete();
        return VertexOperations.done(at, new VertexOperations.Id(VertexOperations.DELETE_MODEL, f.id(), null, 0), null);
    }

    /**
     * The model {@code ref} names: an id, optionally {@code @1} or {@code @default} (the SDK asks for
     * {@code models/123@1}), or a full name in this project and location. NOT_FOUND when there is none.
     */
    static Found find(KubernetesClient client, Where at, String ref) {
        String id = id(at, ref);
        Found f = read(client, at, id);
        if (f == null) {
            throw GoogleError.notFound("model " + at.parent() + "/models/" + id + " not found");
        }
        return f;
    }

    static String id(Where at, String ref) {
        String id = ref == null ? "" : ref;
        String full = at.parent() + "/models/";
        if (id.startsWith("projects/")) {
            if (!id.startsWith(full)) {
                throw GoogleError.invalid("model " + id + " is not in " + at.parent());
            }
            id = id.substring(full.length());
        }
        int version = id.indexOf('@');
        if (version >= 0) {
            String v = id.substring(version + 1);
            id = id.substring(0, version);
            if (!v.equals(VERSION) && !v.equals("default")) {
                throw GoogleError.notFound("model " + full + id + " has no version " + v
                        + " (models have one version here: 1, alias default)");
            }
        }
        return VertexNames.check(id, VertexNames.MODEL, "model");
    }

    /** The stored model {@code id}, or null. */
    static Found read(KubernetesClient client, Where at, String id) {
        ConfigMap cm = client.configMaps()
                .inNamespace(at.project())
                .withName(PREFIX + id)
                .get();
        return cm == null ? null : found(cm);
    }

    private static Found found(ConfigMap cm) {
        String id = cm.getMetadata().getLabels() == null
                ? null
                : cm.getMetadata().getLabels().get(LABEL);
        String data = cm.getData() == null ? null : cm.getData().get(DATA);
        if (id == null || data == null) {
            return null;
        }
        try {
            return new Found(id, JSON.readValue(data, Stored.class), cm);
        } catch (JsonProcessingException e) {
            return null; // not one this API wrote: not a model
        }
    }

    static VertexWire.Model toWire(Where at, Found f, List<VertexWire.DeployedModelRef> deployed) {
        Map<String, String> labels =
                new java.util.LinkedHashMap<>(f.configMap().getMetadata().getLabels());
        labels.remove(LABEL);
        String created = f.configMap().getMetadata().getCreationTimestamp();
        Stored s = f.stored();
        String rv = f.configMap().getMetadata().getResourceVersion();
        return new VertexWire.Model(
                at.parent() + "/models/" + f.id(),
                s.displayName(),
                s.description(),
                s.artifactUri(),
                s.imageUri() == null ? null : new VertexWire.ContainerSpec(s.imageUri()),
                s.explanationSpec(),
                labels.isEmpty() ? null : labels,
                created,
                created,
                VERSION,
                List.of("default"),
                created,
                created,
                // gcloud takes the first (it then sends the machine type); the SDK without a machine type asks for
                // automatic resources: the operator's default resources
                List.of("DEDICATED_RESOURCES", "AUTOMATIC_RESOURCES"),
                List.of("jsonl", "csv", "tf-record", "tf-record-gzip", "file-list"),
                List.of("jsonl"),
                deployed == null || deployed.isEmpty() ? null : deployed,
                Base64.getEncoder().encodeToString((rv == null ? "0" : rv).getBytes(StandardCharsets.UTF_8)));
    }

    private static String write(Stored s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
