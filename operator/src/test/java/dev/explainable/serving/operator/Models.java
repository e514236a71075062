package dev.explainable.serving.operator;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.explainable.serving.operator.api.AutoscalingSpec;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelSpec;
import dev.explainable.serving.operator.api.ExplanationSpec;
import dev.explainable.serving.operator.api.VersionSpec;

/** ExplainableModel fixtures. */
public final class Models {
    static final ObjectMapper JSON = new ObjectMapper();

    private Models() {}

    public static VersionSpec version(String name, int gpus) {
        VersionSpec v = new VersionSpec();
        v.setName(name);
        v.setModelUri("pvc://models-claim/flowers/" + name);
        v.getResources().setGpus(gpus);
        return v;
    }

    public static ExplainableModel model(String name, String defaultVersion, VersionSpec... versions) {
        ExplainableModelSpec spec = new ExplainableModelSpec();
        spec.setDefaultVersion(defaultVersion);
        spec.setVersions(new ArrayList<>(List.of(versions)));
        ExplainableModel m = new ExplainableModel(name, spec);
        m.getMetadata().setNamespace("team-a");
        m.getMetadata().setUid("uid-1");
        m.getMetadata().setGeneration(1L);
        return m;
    }

    public static VersionSpec withMetadata(VersionSpec v, String json) {
        try {
            v.setMetadata(JSON.readTree(json));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
        return v;
    }

    public static VersionSpec withMethod(VersionSpec v, ExplanationSpec.Method method, int steps) {
        v.getExplanation().setMethod(method);
        v.getExplanation().setIntegralSteps(steps);
        return v;
    }

    /** Autoscaling between {@code min} and {@code max} on CPU utilization. */
    /** Vertex's explanationSpec with example-based explanations: the set's files, and a neighbour count or null. */
    public static dev.explainable.serving.operator.api.VertexExplanationSpec examples(
            java.util.List<String> uris, Integer neighborCount) {
        dev.explainable.serving.operator.api.VertexExamples.GcsSource files =
                new dev.explainable.serving.operator.api.VertexExamples.GcsSource();
        files.setUris(uris);
        dev.explainable.serving.operator.api.VertexExamples.ExampleGcsSource source =
                new dev.explainable.serving.operator.api.VertexExamples.ExampleGcsSource();
        source.setDataFormat("JSONL");
        source.setGcsSource(files);
        dev.explainable.serving.operator.api.VertexExamples examples =
                new dev.explainable.serving.operator.api.VertexExamples();
        examples.setExampleGcsSource(source);
        examples.setNeighborCount(neighborCount);
        dev.explainable.serving.operator.api.VertexExplanationParameters parameters =
                new dev.explainable.serving.operator.api.VertexExplanationParameters();
        parameters.setExamples(examples);
        dev.explainable.serving.operator.api.VertexExplanationSpec spec =
                new dev.explainable.serving.operator.api.VertexExplanationSpec();
        spec.setParameters(parameters);
        return spec;
    }

    public static AutoscalingSpec cpu(Integer min, int max, int percent) {
        AutoscalingSpec a = bounds(min, max);
        a.setTargetCPUUtilizationPercentage(percent);
        return a;
    }

    /** Autoscaling between {@code min} and {@code max} on explanations in flight per pod. */
    public static AutoscalingSpec inFlight(Integer min, int max, String target) {
        AutoscalingSpec a = bounds(min, max);
        a.setTargetInFlightPerPod(target);
        return a;
    }

    private static AutoscalingSpec bounds(Integer min, int max) {
        AutoscalingSpec a = new AutoscalingSpec();
        a.setMinReplicas(min);
        a.setMaxReplicas(max);
        return a;
    }
}
