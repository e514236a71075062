package dev.explainable.serving.operator.management.vertex;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import dev.explainable.serving.operator.api.ExplanationJob;
import dev.explainable.serving.operator.api.ExplanationJobSpec;
import dev.explainable.serving.operator.api.ExplanationJobStatus;
import dev.explainable.serving.operator.api.ResourcesSpec;
import dev.explainable.serving.operator.api.VertexExplanationSpec;
import dev.explainable.serving.operator.management.Annotations;
import dev.explainable.serving.operator.management.GoogleError;
import dev.explainable.serving.operator.management.MachineTypes;
import dev.explainable.serving.operator.management.Paging;
import dev.explainable.serving.operator.management.RequestFields;

/**
 * Vertex's {@code projects.locations.batchPredictionJobs}: create, get, list, cancel and delete, as ExplanationJobs
 * written and read with the caller's client. The job explains with an uploaded model's artifact and explanation spec
 * (or an {@code unmanagedContainerModel}'s artifact), the job's own spec over it field by field; its state is the
 * ExplanationJob's as {@code JOB_STATE_*}. A job is not a long-running operation: clients poll the job itself.
 */
final class BatchJobs {

    static final Set<String> KNOWN = Set.of(
            "displayName",
            "model",
            "unmanagedContainerModel",
            "inputConfig",
            "instanceConfig",
            "outputConfig",
            "dedicatedResources",
            "manualBatchTuningParameters",
            "generateExplanation",
            "explanationSpec",
            "labels",
            "disableContainerLogging"); // accepted: the shards' logs go where the cluster sends them
    static final Map<String, String> REFUSED = Map.of(
            "modelParameters", "is not supported: the runtime takes no model parameters",
            "serviceAccount", "is the job's spec.storage.serviceAccountName here (kubectl)",
            "encryptionSpec", "is not supported: encrypt at the bucket",
            "outputInfo", "is output only");

    private static final ObjectMapper JSON = new ObjectMapper();

    private BatchJobs() {}

    static VertexWire.BatchPredictionJob create(KubernetesClient client, Where at, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw GoogleError.invalid("the request body must be a BatchPredictionJob object");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (REFUSED.containsKey(f)) {
                throw GoogleError.invalid("batchPredictionJob." + f + " " + REFUSED.get(f));
            }
            if (!KNOWN.contains(f)) {
                throw GoogleError.invalid(
                        "Invalid JSON payload received. Unknown name \"" + f + "\" in BatchPredictionJob");
            }
        }
        String displayName = RequestFields.text(body, "displayName");
        if (displayName == null || displayName.isBlank() || displayName.length() > 128) {
            throw GoogleError.invalid("batchPredictionJob.displayName is required, at most 128 characters");
        }
        ExplanationJobSpec spec = new ExplanationJobSpec();
        boolean explain = body.path("generateExplanation").asBoolean(false);
        spec.generateExplanation = explain;
        VertexExplanationSpec own = ExplanationSpecs.fromRequest(body.get("explanationSpec"), "explanationSpec");
        if (own != null && !explain) {
            throw GoogleError.invalid("explanationSpec can be given only with generateExplanation true");
        }
        String modelRef = RequestFields.text(body, "model");
        JsonNode unmanaged = body.get("unmanagedContainerModel");
        if ((modelRef == null) == (unmanaged == null || unmanaged.isNull())) {
            throw GoogleError.invalid("give exactly one of model and unmanagedContainerModel");
        }
        ExplanationJobSpec.ModelRef ref = new ExplanationJobSpec.ModelRef();
        VertexExplanationSpec modelSpec = null;
        String modelName;
        if (modelRef != null) {
            UploadedModels.Found source = UploadedModels.find(client, at, modelRef);
            ref.modelUri = source.stored().artifactUri();
            spec.storage = storage(client, at, source.id());
            modelSpec = source.stored().explanation();
            modelName = at.parent() + "/models/" + source.id();
        } else {
            if (!unmanaged.isObject()) {
                throw GoogleError.invalid("unmanagedContainerModel must be an object");
            }
            ObjectNode m = JSON.createObjectNode();
            m.put("displayName", displayName);
            for (Iterator<Map.Entry<String, JsonNode>> it = unmanaged.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!Set.of("artifactUri", "containerSpec", "predictSchemata").contains(f.getKey())) {
                    throw GoogleError.invalid("unmanagedContainerModel." + f.getKey() + " is not supported here");
                }
                m.set(f.getKey(), f.getValue());
            }
            UploadedModels.Stored stored = UploadedModels.fromRequest(m);
            ref.modelUri = stored.artifactUri();
            modelName = null;
        }
        spec.model = ref;
        VertexExplanationSpec merged = ExplanationSpecs.over(own, modelSpec);
        if (explain && merged == null) {
            throw GoogleError.invalid("generateExplanation needs an explanation spec: the model's"
                    + " (model.explanationSpec at upload) or the job's (explanationSpec)");
        }
        if (explain && merged.getParameters() != null && merged.getParameters().getExamples() != null) {
            throw GoogleError.invalid("explanationSpec.parameters.examples: example-based explanations are online"
                    + " only (as on Vertex): explain the model's endpoint, or give the job an attribution method");
        }
        spec.explanationSpec = explain ? merged : null;
        spec.inputConfig = input(body.get("inputConfig"));
        spec.outputConfig = output(body.get("outputConfig"), explain);
        JsonNode instanceConfig = body.get("instanceConfig");
        if (instanceConfig != null && !instanceConfig.isNull()) {
            try {
                spec.instanceConfig = JSON.readerFor(ExplanationJobSpec.InstanceConfig.class)
                        .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                        .readValue(instanceConfig);
            } catch (java.io.IOException e) {
                throw GoogleError.invalid("instanceConfig: " + firstLine(e.getMessage()));
            }
        }
        resources(body.get("dedicatedResources"), spec);
        JsonNode tuning = body.get("manualBatchTuningParameters");
        if (tuning != null && !tuning.isNull() && tuning.has("batchSize")) {
            spec.batchSize =
                    RequestFields.integer(tuning, "batchSize", "manualBatchTuningParameters.batchSize", 1, 1000);
        }
        Map<String, String> labels = RequestFields.labels(body.get("labels"), "batchPredictionJob.labels");
        // Vertex's job ids are the server's: any free one
        return VertexNames.createWithId(null, VertexNames.fromDisplayName(displayName, "job"), "", name -> {
            ObjectMetaBuilder meta = new ObjectMetaBuilder()
                    .withName(name)
                    .withNamespace(at.project())
                    .withLabels(labels)
                    .addToAnnotations(Annotations.DISPLAY_NAME, displayName);
            if (modelName != null) {
                meta.addToAnnotations(Annotations.VERTEX_MODEL, modelName);
            }
            ExplanationJob job = new ExplanationJob();
            job.setMetadata(meta.build());
            job.setSpec(spec);
            return toWire(at, client.resource(job).create());
        });
    }

    /**
     * How the job reads the model, the input and the output: as the first endpoint (by name) that the model is
     * deployed to reads the model (its spec.storage: identity, credentials, endpoints), since a Vertex model has no
     * storage settings of its own; none deployed: the pods' own identity.
     */
    private static dev.explainable.serving.operator.api.StorageSpec storage(
            KubernetesClient client, Where at, String model) {
        return Endpoints.deployedFrom(client, at, model).stream()
                .map(d -> d.endpoint().substring(d.endpoint().lastIndexOf('/') + 1))
                .sorted()
                .map(e -> Endpoints.read(client, at, e))
                .filter(m -> m != null && m.getSpec().getStorage() != null)
                .map(m -> m.getSpec().getStorage())
                .findFirst()
                .orElse(null);
    }

    private static ExplanationJobSpec.InputConfig input(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw GoogleError.invalid("inputConfig is required");
        }
        ExplanationJobSpec.InputConfig in = new ExplanationJobSpec.InputConfig();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (f.equals("bigquerySource")) {
                throw GoogleError.invalid("inputConfig.bigquerySource is not supported: give gcsSource files");
            }
            if (!f.equals("instancesFormat") && !f.equals("gcsSource")) {
                throw GoogleError.invalid("inputConfig." + f + " is not a field of InputConfig");
            }
        }
        String format = RequestFields.text(n, "instancesFormat");
        if (format == null
                || !Set.of(
                                ExplanationJobSpec.JSONL,
                                ExplanationJobSpec.CSV,
                                ExplanationJobSpec.FILE_LIST,
                                ExplanationJobSpec.TF_RECORD,
                                ExplanationJobSpec.TF_RECORD_GZIP)
                        .contains(format)) {
            throw GoogleError.invalid("inputConfig.instancesFormat must be one of jsonl, csv, file-list, tf-record"
                    + " and tf-record-gzip" + (format == null ? "" : ", got " + format));
        }
        in.instancesFormat = format;
        JsonNode uris = n.path("gcsSource").path("uris");
        if (!uris.isArray() || uris.isEmpty() || uris.size() > 100) {
            throw GoogleError.invalid("inputConfig.gcsSource.uris must list 1 to 100 files");
        }
        for (JsonNode u : uris) {
            if (!u.isTextual()
                    || !u.asText().matches("^((gs|s3)://.+|pvc://[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/.+)$")) {
                throw GoogleError.invalid("inputConfig.gcsSource.uris: " + u + " is not a gs://, s3:// or pvc:// file");
            }
            in.uris.add(u.asText());
        }
        return in;
    }

    private static ExplanationJobSpec.OutputConfig output(JsonNode n, boolean explain) {
        if (n == null || !n.isObject()) {
            throw GoogleError.invalid("outputConfig is required");
        }
        String format = RequestFields.text(n, "predictionsFormat");
        if (!"jsonl".equals(format)) {
            throw GoogleError.invalid("outputConfig.predictionsFormat must be jsonl"
                    + (explain ? " (Vertex writes no explanations to csv)" : "")
                    + (format == null ? "" : ", got " + format));
        }
        if (n.has("bigqueryDestination")) {
            throw GoogleError.invalid("outputConfig.bigqueryDestination is not supported: give gcsDestination");
        }
        String prefix = n.path("gcsDestination").path("outputUriPrefix").asText(null);
        if (prefix == null
                || !prefix.matches(
                        "^((gs|s3)://[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]|pvc://[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)(/.*)?$")) {
            throw GoogleError.invalid(
                    "outputConfig.gcsDestination.outputUriPrefix must be a gs://, s3:// or" + " pvc:// folder");
        }
        ExplanationJobSpec.OutputConfig out = new ExplanationJobSpec.OutputConfig();
        out.outputUriPrefix = prefix;
        return out;
    }

    /** dedicatedResources: the machine type as each shard's resources, the replica counts as shards and pods. */
    private static void resources(JsonNode n, ExplanationJobSpec spec) {
        if (n == null || n.isNull()) {
            return;
        }
        JsonNode machine = n.path("machineSpec");
        ResourcesSpec r = MachineTypes.resources(
                machine.isObject() ? RequestFields.text(machine, "machineType") : null,
                "dedicatedResources.machineSpec.machineType");
        if (machine.has("acceleratorCount")) {
            r.setGpus(RequestFields.integer(
                    machine, "acceleratorCount", "dedicatedResources.machineSpec.acceleratorCount", 0, 8));
        }
        spec.resources = r;
        int max = n.has("maxReplicaCount")
                ? RequestFields.integer(n, "maxReplicaCount", "dedicatedResources.maxReplicaCount", 1, 1000)
                : 1;
        int start = n.has("startingReplicaCount")
                ? RequestFields.integer(n, "startingReplicaCount", "dedicatedResources.startingReplicaCount", 1, 1000)
                : max;
        ExplanationJobSpec.Parallelism p = new ExplanationJobSpec.Parallelism();
        p.shards = max;
        p.pods = Math.min(start, max);
        spec.parallelism = p;
    }

    static VertexWire.BatchPredictionJob get(KubernetesClient client, Where at, String job) {
        return toWire(at, find(client, at, job));
    }

    static VertexWire.ListBatchPredictionJobs list(KubernetesClient client, Where at, Paging paging) {
        List<ExplanationJob> all = new ArrayList<>(client.resources(ExplanationJob.class)
                .inNamespace(at.project())
                .list()
                .getItems());
        all.sort(Comparator.comparing(x -> x.getMetadata().getName()));
        List<VertexWire.BatchPredictionJob> page = new ArrayList<>();
        for (ExplanationJob j : paging.page(all)) {
            page.add(toWire(at, j));
        }
        return new VertexWire.ListBatchPredictionJobs(page.isEmpty() ? null : page, paging.next(all.size()));
    }

    /** Best effort, as on Vertex: the job stops (CANCELLING, then CANCELLED); what was written stays. */
    static Object cancel(KubernetesClient client, Where at, String job) {
        ExplanationJob j = find(client, at, job);
        if (!j.getSpec().cancelled()) {
            client.resources(ExplanationJob.class)
                    .inNamespace(at.project())
                    .withName(j.getMetadata().getName())
                    .edit(x -> {
                        x.getSpec().cancel = true;
                        return x;
                    });
        }
        return JSON.createObjectNode();
    }

    /** Vertex's rule: only a finished job is deleted; its outputs stay. */
    static VertexWire.Operation delete(KubernetesClient client, Where at, String job) {
        ExplanationJob j = find(client, at, job);
        String state = j.getStatus() == null ? null : j.getStatus().state;
        if (!ExplanationJobStatus.SUCCEEDED.equals(state)
                && !ExplanationJobStatus.FAILED.equals(state)
                && !ExplanationJobStatus.CANCELLED.equals(state)) {
            throw GoogleError.failedPrecondition(
                    "batch prediction job " + job + " has not finished: cancel it" + " first");
        }
        client.resource(j).delete();
        return VertexOperations.done(
                at,
                new VertexOperations.Id(
                        VertexOperations.DELETE_JOB, job, null, j.getMetadata().getGeneration()),
                null);
    }

    static ExplanationJob find(KubernetesClient client, Where at, String job) {
        VertexNames.check(job, VertexNames.JOB, "batchPredictionJob");
        ExplanationJob j = client.resources(ExplanationJob.class)
                .inNamespace(at.project())
                .withName(job)
                .get();
        if (j == null) {
            throw GoogleError.notFound(
                    "batch prediction job " + at.parent() + "/batchPredictionJobs/" + job + " not found");
        }
        return j;
    }

    /** The job as Vertex's BatchPredictionJob. Pure. */
    static VertexWire.BatchPredictionJob toWire(Where at, ExplanationJob j) {
        ExplanationJobSpec spec = j.getSpec();
        ExplanationJobStatus st = j.getStatus();
        Map<String, String> annotations = j.getMetadata().getAnnotations() == null
                ? Map.of()
                : j.getMetadata().getAnnotations();
        String state = st == null || st.state == null ? "JOB_STATE_PENDING" : "JOB_STATE_" + st.state;
        VertexWire.Status error = null;
        if (st != null && ExplanationJobStatus.FAILED.equals(st.state)) {
            error = new VertexWire.Status(VertexOperations.FAILED_PRECONDITION, failure(st));
        } else if (st != null && ExplanationJobStatus.CANCELLED.equals(st.state)) {
            error = new VertexWire.Status(1, "the job was cancelled");
        }
        ObjectNode input = JSON.createObjectNode();
        input.put("instancesFormat", spec.inputConfig.instancesFormat);
        input.putObject("gcsSource").set("uris", JSON.valueToTree(spec.inputConfig.uris));
        ObjectNode output = JSON.createObjectNode();
        output.put("predictionsFormat", "jsonl");
        output.putObject("gcsDestination").put("outputUriPrefix", spec.outputConfig.outputUriPrefix);
        String dir = st == null || st.outputInfo == null ? null : st.outputInfo.gcsOutputDirectory;
        List<VertexWire.Status> partial = st == null || st.partialFailures == null || st.partialFailures.isEmpty()
                ? null
                : st.partialFailures.stream()
                        .map(f -> new VertexWire.Status(
                                VertexOperations.FAILED_PRECONDITION, "shard " + f.shard + ": " + f.message))
                        .toList();
        ExplanationJobStatus.CompletionStats c = st == null ? null : st.completionStats;
        String created = j.getMetadata().getCreationTimestamp();
        return new VertexWire.BatchPredictionJob(
                at.parent() + "/batchPredictionJobs/" + j.getMetadata().getName(),
                annotations.getOrDefault(
                        Annotations.DISPLAY_NAME, j.getMetadata().getName()),
                annotations.get(Annotations.VERTEX_MODEL),
                input,
                spec.instanceConfig == null ? null : JSON.valueToTree(spec.instanceConfig),
                output,
                null,
                spec.batchSize == null ? null : JSON.createObjectNode().put("batchSize", spec.batchSize),
                spec.explains(),
                spec.explanationSpec == null ? null : ExplanationSpecs.toJson(spec.explanationSpec),
                dir == null ? null : new VertexWire.OutputInfo(dir),
                state,
                error,
                partial,
                c == null
                        ? null
                        : new VertexWire.CompletionStats(
                                text(c.successfulCount), text(c.failedCount), text(c.incompleteCount)),
                created,
                st == null ? null : st.startTime,
                st == null ? null : st.endTime,
                st != null && st.endTime != null ? st.endTime : created,
                j.getMetadata().getLabels() == null
                                || j.getMetadata().getLabels().isEmpty()
                        ? null
                        : j.getMetadata().getLabels());
    }

    private static String failure(ExplanationJobStatus st) {
        for (Condition c : st.conditions) {
            if ("Failed".equals(c.getType()) && "True".equals(c.getStatus()) && c.getMessage() != null) {
                return c.getMessage();
            }
        }
        return "the job failed";
    }

    private static String text(Long n) {
        return n == null ? null : n.toString();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "not readable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
