package dev.explainable.serving.operator.management.ml;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.operator.api.AutoscalingSpec;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplanationSpec;
import dev.explainable.serving.operator.api.ResourcesSpec;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.api.VersionStatus;
import dev.explainable.serving.operator.management.GoogleError;
import dev.explainable.serving.operator.management.MachineTypes;
import dev.explainable.serving.operator.management.RequestFields;
import dev.explainable.serving.operator.status.VersionState;

/**
 * An AI Platform Version as gcloud sends it, made a version of an ExplainableModel, and back: {@code deploymentUri}
 * is the version's {@code modelUri}, {@code explanationConfig} its {@code explanation}, {@code machineType} and
 * {@code acceleratorConfig} its resources ({@link MachineTypes}), {@code manualScaling.nodes} its replicas,
 * {@code autoScaling} its autoscaling (on CPU, AI Platform's 60 % target); the state is the version's status state.
 * Fields that cannot be honoured here are refused, naming them; none is half-applied.
 */
final class VersionMapping {

    /** Fields of a Version a create may carry and this API honours or, as noted, accepts without effect. */
    static final Set<String> KNOWN = Set.of(
            "name",
            "description",
            "deploymentUri",
            "runtimeVersion", // accepted: the runtime image decides
            "pythonVersion", // accepted: no Python runs
            "framework",
            "machineType",
            "explanationConfig",
            "autoScaling",
            "manualScaling",
            "acceleratorConfig");

    /** Fields Google has that this runtime cannot honour, with why. */
    static final Map<String, String> REFUSED = Map.of(
            "predictionClass", "custom prediction routines are not supported: serve the SavedModel itself",
            "packageUris", "custom prediction routines are not supported: serve the SavedModel itself",
            "container", "custom containers are not supported: the runtime serves TensorFlow SavedModels",
            "routes", "custom containers are not supported: the runtime serves TensorFlow SavedModels",
            "serviceAccount", "a version's identity is its model's spec.storage.serviceAccountName (kubectl)",
            "requestLoggingConfig", "request logging to BigQuery is not supported (see the audit trail)",
            "labels", "version labels are not kept; label the model");

    private VersionMapping() {}

    /** The version {@code body} asks for; {@link GoogleError} (INVALID_ARGUMENT) names what cannot be. */
    static VersionSpec fromRequest(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw GoogleError.invalid("the request body must be a Version object");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (REFUSED.containsKey(field)) {
                throw GoogleError.invalid("version." + field + ": " + REFUSED.get(field));
            }
            if (!KNOWN.contains(field)) {
                throw GoogleError.invalid("Invalid JSON payload received. Unknown name \"" + field + "\" in Version");
            }
        }
        String name = RequestFields.text(body, "name");
        Names.check(name, "version.name");
        String uri = RequestFields.text(body, "deploymentUri");
        if (uri == null || uri.isBlank()) {
            throw GoogleError.invalid("version.deploymentUri is required: the SavedModel folder (gs://, s3://, ...)");
        }
        String framework = RequestFields.text(body, "framework");
        if (framework != null && !framework.equalsIgnoreCase("TENSORFLOW")) {
            throw GoogleError.invalid("version.framework " + framework + " is not supported: TENSORFLOW only");
        }
        VersionSpec v = new VersionSpec();
        v.setName(name);
        v.setModelUri(uri);
        v.setExplanation(explanation(body.get("explanationConfig")));
        ResourcesSpec r = MachineTypes.resources(RequestFields.text(body, "machineType"));
        JsonNode acc = body.get("acceleratorConfig");
        if (acc != null && !acc.isNull()) {
            int count = RequestFields.integer(acc, "count", "version.acceleratorConfig.count", 0, 8);
            r.setGpus(count);
        }
        v.setResources(r);
        JsonNode manual = body.get("manualScaling");
        JsonNode auto = body.get("autoScaling");
        if (manual != null && !manual.isNull() && auto != null && !auto.isNull()) {
            throw GoogleError.invalid("give version.manualScaling or version.autoScaling, not both");
        }
        if (manual != null && !manual.isNull()) {
            v.setReplicas(RequestFields.integer(manual, "nodes", "version.manualScaling.nodes", 1, 100));
        } else if (auto != null && !auto.isNull()) {
            int min = RequestFields.integer(auto, "minNodes", "version.autoScaling.minNodes", 1, 100);
            int max = auto.has("maxNodes")
                    ? RequestFields.integer(auto, "maxNodes", "version.autoScaling.maxNodes", min, 100)
                    : Math.max(min, 10);
            AutoscalingSpec a = new AutoscalingSpec();
            a.setMinReplicas(min);
            a.setMaxReplicas(max);
            a.setTargetCPUUtilizationPercentage(60);
            v.setAutoscaling(a);
        }
        return v;
    }

    /** {@code explanationConfig}: exactly one method, with AI Platform's bounds. */
    static ExplanationSpec explanation(JsonNode config) {
        ExplanationSpec e = new ExplanationSpec();
        if (config == null || config.isNull()) {
            return e; // integrated gradients, 50 steps
        }
        if (!config.isObject() || config.size() != 1) {
            throw GoogleError.invalid(
                    "version.explanationConfig must name exactly one of integratedGradientsAttribution,"
                            + " xraiAttribution and sampledShapleyAttribution");
        }
        String method = config.fieldNames().next();
        JsonNode p = config.get(method);
        switch (method) {
            case "integratedGradientsAttribution", "xraiAttribution" -> {
                e.setMethod(
                        method.startsWith("xrai")
                                ? ExplanationSpec.Method.xrai
                                : ExplanationSpec.Method.integratedGradients);
                if (p != null && p.has("numIntegralSteps")) {
                    e.setIntegralSteps(RequestFields.integer(
                            p,
                            "numIntegralSteps",
                            "version.explanationConfig." + method + ".numIntegralSteps",
                            1,
                            100));
                }
            }
            case "sampledShapleyAttribution" -> {
                e.setMethod(ExplanationSpec.Method.sampledShapley);
                if (p != null && p.has("numPaths")) {
                    e.setPaths(RequestFields.integer(
                            p, "numPaths", "version.explanationConfig.sampledShapleyAttribution.numPaths", 1, 50));
                }
            }
            default ->
                throw GoogleError.invalid(
                        "version.explanationConfig." + method
                                + " is not supported: integratedGradientsAttribution, xraiAttribution or sampledShapleyAttribution");
        }
        return e;
    }

    /** The ml Version of {@code v}, with its state from the model's status. */
    static MlWire.Version toWire(String project, ExplainableModel m, VersionSpec v) {
        String model = m.getMetadata().getName();
        VersionStatus st = m.getStatus() == null || m.getStatus().getVersions() == null
                ? null
                : m.getStatus().getVersions().stream()
                        .filter(s -> v.getName().equals(s.getName()))
                        .findFirst()
                        .orElse(null);
        boolean current = m.getStatus() != null
                && m.getStatus().getObservedGeneration() != null
                && m.getStatus().getObservedGeneration() >= m.getMetadata().getGeneration();
        String state;
        String error = null;
        if (st != null && current && VersionState.AVAILABLE.of(st)) {
            state = "READY";
        } else if (st != null && current && VersionState.DEGRADED.of(st)) {
            state = "FAILED";
            error = st.getReason() + ": " + st.getMessage();
        } else {
            state = "CREATING";
        }
        ExplanationSpec e = v.getExplanation() == null ? new ExplanationSpec() : v.getExplanation();
        MlWire.ExplanationConfig config = switch (e.getMethod()) {
            case xrai -> new MlWire.ExplanationConfig(null, new MlWire.StepCount(e.getIntegralSteps()), null);
            case sampledShapley -> new MlWire.ExplanationConfig(null, null, new MlWire.PathCount(e.getPaths()));
            default -> new MlWire.ExplanationConfig(new MlWire.StepCount(e.getIntegralSteps()), null, null);
        };
        ResourcesSpec r = v.getResources();
        AutoscalingSpec a = v.getAutoscaling();
        return new MlWire.Version(
                "projects/" + project + "/models/" + model + "/versions/" + v.getName(),
                null,
                v.getName().equals(m.getSpec().getDefaultVersion()),
                v.getModelUri(),
                m.getMetadata().getCreationTimestamp(),
                null,
                null,
                "TENSORFLOW",
                r == null ? null : MachineTypes.name(r),
                state,
                error,
                config,
                a == null ? null : new MlWire.AutoScaling(a.getMinReplicas(), a.getMaxReplicas()),
                a == null ? new MlWire.ManualScaling(v.getReplicas() == null ? 1 : v.getReplicas()) : null,
                r == null || r.getGpus() == null || r.getGpus() == 0
                        ? null
                        : new MlWire.AcceleratorConfig(r.getGpus(), "NVIDIA_GPU"),
                null,
                etag(m));
    }

    /** gcloud decodes {@code etag} as base64 (it crashes on anything else): the resource version, encoded. */
    static String etag(ExplainableModel m) {
        String rv = m.getMetadata().getResourceVersion() == null
                ? "0"
                : m.getMetadata().getResourceVersion();
        return Base64.getEncoder().encodeToString(rv.getBytes(StandardCharsets.UTF_8));
    }
}
