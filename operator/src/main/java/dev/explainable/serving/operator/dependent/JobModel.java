package dev.explainable.serving.operator.dependent;

import java.util.Collections;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.Toleration;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplanationJob;
import dev.explainable.serving.operator.api.ExplanationJobSpec;
import dev.explainable.serving.operator.api.ResourcesSpec;
import dev.explainable.serving.operator.api.RuntimeSpec;
import dev.explainable.serving.operator.api.StorageSpec;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.api.VertexExplanationParameters;
import dev.explainable.serving.operator.api.VertexExplanationSpec;

/**
 * What an {@link ExplanationJob} runs, resolved once when its Job is created (a later change of the model leaves the
 * job as it started): the ExplainableModel's version with the job's {@code explanationSpec} overriding it field by
 * field (Vertex's BatchPredictionJob rule: {@code parameters} and {@code metadata} each replace the version's where
 * given), or the job's own {@code model.modelUri} explained as its {@code explanationSpec} says.
 *
 * @param name the model's name: the runtime's model name and part of the output folder's (the job's own name for a
 *     model URI)
 * @param modelUri where the SavedModel folder is
 * @param settings the runtime's explanation settings, keyed by environment variable ({@link DesiredConfigMap#settings})
 * @param metadataJson the inline metadata as canonical JSON, null where the model folder's file is used
 * @param storage how the pods read and write object stores ({@code spec.storage} of the job, else the model's)
 * @param resources the shard pods' ({@code spec.resources} of the job, else the version's)
 * @param runtime the model's runtime image override, null for the operator's
 */
public record JobModel(
        String name,
        String modelUri,
        Map<String, String> settings,
        String metadataJson,
        StorageSpec storage,
        ResourcesSpec resources,
        Map<String, String> nodeSelector,
        List<Toleration> tolerations,
        RuntimeSpec runtime) {

    /** The version {@code v} of {@code m}, overridden by the job's explanationSpec, resources and storage. */
    public static JobModel of(ExplanationJob job, ExplainableModel m, VersionSpec v) {
        ExplanationJobSpec spec = job.getSpec();
        VertexExplanationSpec override = spec.explanationSpec;
        VersionSpec effective = override != null && override.getParameters() != null
                ? explained(v.getName(), v.getModelUri(), override.getParameters())
                : v;
        String metadata = override != null && present(override.getMetadata())
                ? DesiredConfigMap.canonicalJson(override.getMetadata())
                : DesiredConfigMap.metadataJson(v);
        return new JobModel(
                m.getMetadata().getName(),
                v.getModelUri(),
                Collections.unmodifiableMap(DesiredConfigMap.settings(m, effective)),
                metadata,
                spec.storage != null ? spec.storage : m.getSpec().getStorage(),
                spec.resources != null ? spec.resources : v.getResources(),
                v.getNodeSelector(),
                v.getTolerations(),
                m.getSpec().getRuntime());
    }

    /** The job's own {@code model.modelUri}, named after the job, explained as its explanationSpec says. */
    public static JobModel own(ExplanationJob job) {
        ExplanationJobSpec spec = job.getSpec();
        String name = job.getMetadata().getName();
        VertexExplanationSpec explanation = spec.explanationSpec;
        VersionSpec v = explained(name, spec.model.modelUri, explanation == null ? null : explanation.getParameters());
        return new JobModel(
                name,
                spec.model.modelUri,
                Collections.unmodifiableMap(DesiredConfigMap.settings(name, v)),
                explanation != null && present(explanation.getMetadata())
                        ? DesiredConfigMap.canonicalJson(explanation.getMetadata())
                        : null,
                spec.storage,
                spec.resources,
                null,
                null,
                null);
    }

    /** A version of {@code modelUri} explained with {@code parameters} (null: integrated gradients, defaults). */
    private static VersionSpec explained(String name, String modelUri, VertexExplanationParameters parameters) {
        VersionSpec v = new VersionSpec();
        v.setName(name);
        v.setModelUri(modelUri);
        if (parameters != null) {
            VertexExplanationSpec spec = new VertexExplanationSpec();
            spec.setParameters(parameters);
            v.setExplanationSpec(spec);
        }
        return v;
    }

    private static boolean present(JsonNode metadata) {
        return metadata != null && !metadata.isNull();
    }

    /** The GPUs of each shard's pod. */
    public int gpus() {
        return resources == null || resources.getGpus() == null ? 0 : resources.getGpus();
    }
}
