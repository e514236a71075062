package dev.explainable.serving.operator.management.vertex;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import dev.explainable.serving.operator.api.AutoscalingSpec;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelSpec;
import dev.explainable.serving.operator.api.ResourcesSpec;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.api.VertexExplanationSpec;
import dev.explainable.serving.operator.management.Annotations;
import dev.explainable.serving.operator.management.GoogleError;
import dev.explainable.serving.operator.management.MachineTypes;
import dev.explainable.serving.operator.management.ModelChanges;
import dev.explainable.serving.operator.management.Paging;
import dev.explainable.serving.operator.management.RequestFields;

/**
 * Vertex's {@code projects.locations.endpoints}: create, get, list, delete, deployModel and undeployModel, as writes
 * of ExplainableModels with the caller's client. An endpoint is an ExplainableModel (its id the model's name, which
 * the runtime's {@code endpoints/{endpoint}:explain} answers to); a deployed model is one of its versions (its id the
 * version's name, the runtime's {@code deployedModelId}), made from an uploaded model's artifact and explanation
 * spec, the deployed model's own spec taking its place where given. The traffic split is the model's default
 * version: a split that gives one deployed model 100 sets it; no split leaves it (the first deployed model takes the
 * traffic, since an endpoint with deployed models always has a default here); other splits are refused until
 * weighted routing exists. Which uploaded model a version came from is kept in an annotation.
 */
final class Endpoints {

    static final Set<String> KNOWN_ENDPOINT = Set.of("displayName", "description", "labels");
    static final Set<String> KNOWN_DEPLOYED = Set.of(
            "model",
            "id",
            "displayName",
            "dedicatedResources",
            "automaticResources",
            "explanationSpec",
            "disableContainerLogging", // accepted: the runtime's logs go where the cluster sends them
            "enableContainerLogging",
            "enableAccessLogging");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a version's annotation says of its Vertex origin. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Origin(String model, String displayName, String acceleratorType) {}

    private Endpoints() {}

    static VertexWire.Operation create(KubernetesClient client, Where at, String endpointId, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw GoogleError.invalid("the request body must be an Endpoint object");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!KNOWN_ENDPOINT.contains(f)) {
                throw GoogleError.invalid("Invalid JSON payload received. Unknown name \"" + f + "\" in Endpoint"
                        + " (deployed models come with deployModel)");
            }
        }
        String displayName = RequestFields.text(body, "displayName");
        if (displayName == null || displayName.isBlank() || displayName.length() > 128) {
            throw GoogleError.invalid("endpoint.displayName is required, at most 128 characters");
        }
        String description = RequestFields.text(body, "description");
        if (description != null && description.length() > 4096) {
            throw GoogleError.invalid("endpoint.description has more than 4096 characters");
        }
        Map<String, String> labels = RequestFields.labels(body.get("labels"), "endpoint.labels");
        boolean given = endpointId != null && !endpointId.isEmpty();
        ExplainableModel created = VertexNames.createWithId(
                given ? VertexNames.check(endpointId, VertexNames.ENDPOINT, "endpointId") : null,
                VertexNames.fromDisplayName(displayName, "endpoint"),
                "endpoint " + at.parent() + "/endpoints/",
                id -> {
                    ObjectMetaBuilder meta = new ObjectMetaBuilder()
                            .withName(id)
                            .withNamespace(at.project())
                            .withLabels(labels)
                            .addToAnnotations(Annotations.DISPLAY_NAME, displayName);
                    if (description != null) {
                        meta.addToAnnotations(Annotations.DESCRIPTION, description);
                    }
                    ExplainableModel m = new ExplainableModel();
                    m.setMetadata(meta.build());
                    m.setSpec(new ExplainableModelSpec());
                    return client.resource(m).create();
                });
        VertexOperations.Id op = new VertexOperations.Id(
                VertexOperations.CREATE_ENDPOINT,
                created.getMetadata().getName(),
                null,
                created.getMetadata().getGeneration());
        return VertexOperations.done(
                at, op, VertexOperations.typed(at, "Endpoint", JSON.valueToTree(toWire(at, created))));
    }

    static VertexWire.Endpoint get(KubernetesClient client, Where at, String endpoint) {
        return toWire(at, find(client, at, endpoint));
    }

    static VertexWire.ListEndpoints list(KubernetesClient client, Where at, Paging paging) {
        List<ExplainableModel> all = new ArrayList<>(client.resources(ExplainableModel.class)
                .inNamespace(at.project())
                .list()
                .getItems());
        all.sort(Comparator.comparing(x -> x.getMetadata().getName()));
        List<VertexWire.Endpoint> page = new ArrayList<>();
        for (ExplainableModel m : paging.page(all)) {
            page.add(toWire(at, m));
        }
        return new VertexWire.ListEndpoints(page.isEmpty() ? null : page, paging.next(all.size()));
    }

    /** Vertex's rule: an endpoint with deployed models is not deleted. */
    static VertexWire.Operation delete(KubernetesClient client, Where at, String endpoint) {
        ExplainableModel m = find(client, at, endpoint);
        if (!m.getSpec().getVersions().isEmpty()) {
            throw GoogleError.failedPrecondition("endpoint " + endpoint + " has deployed models ("
                    + String.join(
                            ", ",
                            m.getSpec().getVersions().stream()
                                    .map(VersionSpec::getName)
                                    .toList())
                    + "): undeploy them first");
        }
        // at the resource version read: a version added since (a concurrent create or deploy) is not deleted with it
        client.resource(m).lockResourceVersion().delete();
        return VertexOperations.done(
                at,
                new VertexOperations.Id(
                        VertexOperations.DELETE_ENDPOINT,
                        endpoint,
                        null,
                        m.getMetadata().getGeneration()),
                null);
    }

    static VertexWire.Operation deployModel(KubernetesClient client, Where at, String endpoint, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw GoogleError.invalid("the request body must be a DeployModelRequest object");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("deployedModel") && !f.equals("trafficSplit")) {
                throw GoogleError.invalid("Invalid JSON payload received. Unknown name \"" + f + "\"");
            }
        }
        JsonNode deployed = body.get("deployedModel");
        if (deployed == null || !deployed.isObject()) {
            throw GoogleError.invalid("deployedModel is required");
        }
        for (Iterator<String> it = deployed.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!KNOWN_DEPLOYED.contains(f)) {
                throw GoogleError.invalid(
                        "Invalid JSON payload received. Unknown name \"" + f + "\" at 'deployed_model'");
            }
        }
        UploadedModels.Found source = UploadedModels.find(client, at, RequestFields.text(deployed, "model"));
        VertexExplanationSpec own =
                ExplanationSpecs.fromRequest(deployed.get("explanationSpec"), "deployedModel.explanationSpec");
        VersionSpec template = version(deployed, source, own);
        String givenId = RequestFields.text(deployed, "id");
        if (givenId != null) {
            VertexNames.check(givenId, VertexNames.DEPLOYED_MODEL, "deployedModel.id");
        }
        String displayName = RequestFields.text(deployed, "displayName");
        Map<String, Integer> split = split(body.get("trafficSplit"));
        String[] chosen = new String[1];
        ExplainableModel updated = ModelChanges.change(client, () -> find(client, at, endpoint), m -> {
            List<VersionSpec> versions = m.getSpec().getVersions();
            String name = givenId;
            if (name == null) {
                String base = source.id().length() > 30 ? source.id().substring(0, 30) : source.id();
                base = base.replaceAll("-+$", "");
                name = base;
                while (taken(versions, name)) {
                    name = VertexNames.withSuffix(base);
                }
            } else if (taken(versions, name)) {
                throw new GoogleError(
                        409, "ALREADY_EXISTS", "endpoint " + endpoint + " already has deployed model " + name);
            }
            if (endpoint.length() + 1 + name.length() > 63) {
                throw GoogleError.invalid("endpoint id and deployed model id together name the version's Service"
                        + " (<endpoint>-<deployed model>, at most 63 characters): give a shorter deployedModel.id");
            }
            template.setName(name);
            versions.add(template);
            String target = target(split, name, versions);
            if (m.getSpec().getDefaultVersion() == null) {
                m.getSpec().setDefaultVersion(name); // the first deployed model takes the traffic: there is no other
            } else if (name.equals(target)) {
                // the traffic moves when the new deployed model is Ready (VertexOperations.settle), not before
                m.getMetadata().getAnnotations().put(Annotations.TRAFFIC_ON_READY, name);
            } else if (target != null) {
                m.getSpec().setDefaultVersion(target);
            }
            m.getMetadata()
                    .getAnnotations()
                    .put(
                            Annotations.DEPLOYED_FROM + name,
                            origin(new Origin(source.id(), displayName, acceleratorType(deployed))));
            chosen[0] = name;
            return m;
        });
        VertexOperations.Id op = new VertexOperations.Id(
                VertexOperations.DEPLOY,
                endpoint,
                chosen[0],
                updated.getMetadata().getGeneration());
        return VertexOperations.deploy(at, op, updated);
    }

    static VertexWire.Operation undeployModel(KubernetesClient client, Where at, String endpoint, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw GoogleError.invalid("the request body must be an UndeployModelRequest object");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("deployedModelId") && !f.equals("trafficSplit")) {
                throw GoogleError.invalid("Invalid JSON payload received. Unknown name \"" + f + "\"");
            }
        }
        String id = VertexNames.check(
                RequestFields.text(body, "deployedModelId"), VertexNames.DEPLOYED_MODEL, "deployedModelId");
        Map<String, Integer> split = split(body.get("trafficSplit"));
        ExplainableModel updated = ModelChanges.change(client, () -> find(client, at, endpoint), m -> {
            List<VersionSpec> versions = m.getSpec().getVersions();
            if (!taken(versions, id)) {
                throw GoogleError.notFound("endpoint " + endpoint + " has no deployed model " + id);
            }
            versions.removeIf(v -> v.getName().equals(id));
            if (split.containsKey("0")) {
                throw GoogleError.invalid("trafficSplit of an undeploy names deployed models that stay, not \"0\"");
            }
            String target = target(split, null, versions);
            if (target != null) {
                m.getSpec().setDefaultVersion(target);
            } else if (id.equals(m.getSpec().getDefaultVersion())) {
                if (!versions.isEmpty()) {
                    throw GoogleError.failedPrecondition("deployed model " + id + " takes endpoint " + endpoint
                            + "'s traffic: give a trafficSplit that moves it to another deployed model ("
                            + String.join(
                                    ", ",
                                    versions.stream().map(VersionSpec::getName).toList())
                            + ")");
                }
                m.getSpec().setDefaultVersion(null);
            }
            m.getMetadata().getAnnotations().remove(Annotations.DEPLOYED_FROM + id);
            if (id.equals(m.getMetadata().getAnnotations().get(Annotations.TRAFFIC_ON_READY))) {
                m.getMetadata().getAnnotations().remove(Annotations.TRAFFIC_ON_READY);
            }
            return m;
        });
        return VertexOperations.done(
                at,
                new VertexOperations.Id(
                        VertexOperations.UNDEPLOY,
                        endpoint,
                        id,
                        updated.getMetadata().getGeneration()),
                null);
    }

    /** The accelerator type the deployed model names (Vertex's enum, e.g. NVIDIA_TESLA_T4), or null. */
    private static String acceleratorType(JsonNode deployed) {
        JsonNode t = deployed.path("dedicatedResources").path("machineSpec").path("acceleratorType");
        return t.isTextual() && t.asText().matches("[A-Z0-9_]{1,64}") ? t.asText() : null;
    }

    /** The version a deployed model asks for (its name set later). */
    private static VersionSpec version(JsonNode deployed, UploadedModels.Found source, VertexExplanationSpec own) {
        VersionSpec v = new VersionSpec();
        v.setModelUri(source.stored().artifactUri());
        // field by field, as Vertex reads a deployed model's spec: the SDK's deploy(explanation_parameters=...) sends
        // parameters alone, and the metadata given at upload stays
        VertexExplanationSpec spec = ExplanationSpecs.over(own, source.stored().explanation());
        if (spec != null) {
            v.setExplanation(null);
            v.setExplanationSpec(spec);
        }
        JsonNode dedicated = deployed.get("dedicatedResources");
        JsonNode automatic = deployed.get("automaticResources");
        if (dedicated != null && !dedicated.isNull() && automatic != null && !automatic.isNull()) {
            throw GoogleError.invalid("give deployedModel.dedicatedResources or automaticResources, not both");
        }
        ResourcesSpec r = new ResourcesSpec();
        JsonNode scaling = null;
        String where = null;
        if (dedicated != null && !dedicated.isNull()) {
            where = "deployedModel.dedicatedResources";
            only(dedicated, where, Set.of("machineSpec", "minReplicaCount", "maxReplicaCount", "spot"));
            if (dedicated.path("spot").asBoolean(false)) {
                throw GoogleError.invalid(where + ".spot: Spot VMs are a node pool's choice here (node selector)");
            }
            JsonNode machine = dedicated.get("machineSpec");
            if (machine != null && !machine.isNull()) {
                only(machine, where + ".machineSpec", Set.of("machineType", "acceleratorType", "acceleratorCount"));
                r = MachineTypes.resources(
                        RequestFields.text(machine, "machineType"), where + ".machineSpec.machineType");
                if (machine.has("acceleratorCount")) {
                    r.setGpus(RequestFields.integer(
                            machine, "acceleratorCount", where + ".machineSpec.acceleratorCount", 0, 8));
                }
            }
            scaling = dedicated;
        } else if (automatic != null && !automatic.isNull()) {
            where = "deployedModel.automaticResources";
            only(automatic, where, Set.of("minReplicaCount", "maxReplicaCount"));
            scaling = automatic;
        }
        v.setResources(r);
        if (scaling != null) {
            int min = scaling.has("minReplicaCount")
                    ? RequestFields.integer(scaling, "minReplicaCount", where + ".minReplicaCount", 1, 100)
                    : 1;
            int max = scaling.has("maxReplicaCount")
                            && scaling.get("maxReplicaCount").asInt() != 0
                    ? RequestFields.integer(scaling, "maxReplicaCount", where + ".maxReplicaCount", min, 100)
                    : min;
            if (max > min) {
                AutoscalingSpec a = new AutoscalingSpec();
                a.setMinReplicas(min);
                a.setMaxReplicas(max);
                a.setTargetCPUUtilizationPercentage(60); // Vertex's default target
                v.setAutoscaling(a);
            }
            v.setReplicas(min);
        }
        return v;
    }

    private static void only(JsonNode n, String where, Set<String> known) {
        if (!n.isObject()) {
            throw GoogleError.invalid(where + " must be an object");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw GoogleError.invalid(where + "." + f + " is not supported here");
            }
        }
    }

    /** A request's trafficSplit: deployed model id (or "0", the one being deployed) to percent. */
    static Map<String, Integer> split(JsonNode n) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isObject() || n.size() > 100) {
            throw GoogleError.invalid("trafficSplit must be an object of deployed model ids to percentages");
        }
        int sum = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int percent = RequestFields.integer(n, e.getKey(), "trafficSplit." + e.getKey(), 0, 100);
            out.put(e.getKey(), percent);
            sum += percent;
        }
        if (!out.isEmpty() && sum != 100) {
            throw GoogleError.invalid("trafficSplit must add up to 100, got " + sum);
        }
        return out;
    }

    /**
     * The version a split sends all traffic to ({@code "0"}: {@code deploying}); null for an empty split. A split
     * over several deployed models is refused: traffic goes to one version here.
     */
    static String target(Map<String, Integer> split, String deploying, List<VersionSpec> versions) {
        if (split.isEmpty()) {
            return null;
        }
        List<String> taking = split.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .map(Map.Entry::getKey)
                .toList();
        if (taking.size() != 1) {
            throw GoogleError.invalid("trafficSplit over several deployed models is not supported yet: one deployed"
                    + " model takes all traffic here (give it 100)");
        }
        String key = taking.get(0);
        String target = key.equals("0") ? deploying : key;
        if (target == null || !taken(versions, target)) {
            throw GoogleError.invalid("trafficSplit names " + key + ", which is not a deployed model of the endpoint");
        }
        return target;
    }

    private static boolean taken(List<VersionSpec> versions, String name) {
        return versions.stream().anyMatch(v -> v.getName().equals(name));
    }

    static ExplainableModel find(KubernetesClient client, Where at, String endpoint) {
        VertexNames.check(endpoint, VertexNames.ENDPOINT, "endpoint");
        ExplainableModel m = read(client, at, endpoint);
        if (m == null) {
            throw GoogleError.notFound("endpoint " + at.parent() + "/endpoints/" + endpoint + " not found");
        }
        if (m.getMetadata().getAnnotations() == null) {
            m.getMetadata().setAnnotations(new LinkedHashMap<>());
        }
        return m;
    }

    /** Endpoint {@code endpoint}, or null. */
    static ExplainableModel read(KubernetesClient client, Where at, String endpoint) {
        return client.resources(ExplainableModel.class)
                .inNamespace(at.project())
                .withName(endpoint)
                .get();
    }

    /** Where the uploaded model {@code model} is deployed: the endpoints and deployed model ids. */
    static List<VertexWire.DeployedModelRef> deployedFrom(KubernetesClient client, Where at, String model) {
        List<VertexWire.DeployedModelRef> out = new ArrayList<>();
        for (ExplainableModel m : client.resources(ExplainableModel.class)
                .inNamespace(at.project())
                .list()
                .getItems()) {
            for (VersionSpec v : m.getSpec().getVersions()) {
                Origin o = origin(m, v.getName());
                if (o != null && model.equals(o.model())) {
                    out.add(new VertexWire.DeployedModelRef(
                            at.parent() + "/endpoints/" + m.getMetadata().getName(), v.getName()));
                }
            }
        }
        return out;
    }

    static VertexWire.Endpoint toWire(Where at, ExplainableModel m) {
        Map<String, String> annotations = m.getMetadata().getAnnotations() == null
                ? Map.of()
                : m.getMetadata().getAnnotations();
        List<VertexWire.DeployedModel> deployed = new ArrayList<>();
        for (VersionSpec v : m.getSpec().getVersions()) {
            deployed.add(deployedModel(at, m, v.getName()));
        }
        String rv = m.getMetadata().getResourceVersion();
        String created = m.getMetadata().getCreationTimestamp();
        return new VertexWire.Endpoint(
                at.parent() + "/endpoints/" + m.getMetadata().getName(),
                annotations.getOrDefault(
                        Annotations.DISPLAY_NAME, m.getMetadata().getName()),
                annotations.get(Annotations.DESCRIPTION),
                deployed.isEmpty() ? null : deployed,
                m.getSpec().getDefaultVersion() == null
                        ? null
                        : Map.of(m.getSpec().getDefaultVersion(), 100),
                m.getMetadata().getLabels() == null
                                || m.getMetadata().getLabels().isEmpty()
                        ? null
                        : m.getMetadata().getLabels(),
                created,
                created,
                Base64.getEncoder().encodeToString((rv == null ? "0" : rv).getBytes(StandardCharsets.UTF_8)));
    }

    /** Version {@code version} of {@code m} as a DeployedModel. */
    static VertexWire.DeployedModel deployedModel(Where at, ExplainableModel m, String version) {
        VersionSpec v = m.getSpec().getVersions().stream()
                .filter(x -> x.getName().equals(version))
                .findFirst()
                .orElseThrow();
        Origin o = origin(m, version);
        ResourcesSpec r = v.getResources();
        AutoscalingSpec a = v.getAutoscaling();
        int min = a != null ? a.min() : v.getReplicas() == null ? 1 : v.getReplicas();
        int max = a != null ? a.max() : min;
        boolean gpus = r != null && r.getGpus() != null && r.getGpus() > 0;
        return new VertexWire.DeployedModel(
                version,
                o == null ? null : at.parent() + "/models/" + o.model(),
                o == null ? null : UploadedModels.VERSION,
                o != null && o.displayName() != null ? o.displayName() : version,
                m.getMetadata().getCreationTimestamp(),
                new VertexWire.DedicatedResources(
                        new VertexWire.MachineSpec(
                                r == null ? null : MachineTypes.name(r),
                                // Vertex's enum value as the request gave it; none: left out (no made-up value)
                                gpus && o != null ? o.acceleratorType() : null,
                                gpus ? r.getGpus() : null),
                        min,
                        max),
                ExplanationSpecs.toJson(v.getExplanationSpec()));
    }

    private static Origin origin(ExplainableModel m, String version) {
        String text = m.getMetadata().getAnnotations() == null
                ? null
                : m.getMetadata().getAnnotations().get(Annotations.DEPLOYED_FROM + version);
        if (text == null) {
            return null;
        }
        try {
            return JSON.readValue(text, Origin.class);
        } catch (JsonProcessingException e) {
            return null; // not one this API wrote
        }
    }

    private static String origin(Origin o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
