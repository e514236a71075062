package dev.explainable.serving.operator.dependent;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.contract.ExplanationDefaults;
import dev.explainable.serving.contract.RuntimeSetting;
import dev.explainable.serving.contract.VersionList;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplanationSpec;
import dev.explainable.serving.operator.api.MonitoringSpec;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.api.VertexExamples;
import dev.explainable.serving.operator.api.VertexExplanationParameters;

/**
 * A version's ConfigMap: its explanation settings (the runtime reads them from environment variables that refer to
 * the ConfigMap's keys) and its inline explanation metadata (mounted as a file). Its content's hash on the pod
 * template rolls exactly this version's pods when the content changes.
 *
 * <p>And the model's versions ConfigMap ({@link #forModel}): the names of its versions, which every version's pods
 * mount as the runtime's versions file ({@link RuntimeSetting#ROUTING_VERSIONS_FILE}) and forward only to. It is in
 * no pod template's hash: the kubelet refreshes the mounted file in place, so adding or removing a version rolls no
 * other version's pods.
 */
public final class DesiredConfigMap {

    /** The key of the inline explanation metadata, and its file name in the mounted ConfigMap. */
    public static final String METADATA_FILE = "explanation_metadata.json";
    /**
     * The operator's own key for the model URI: not a runtime setting (the runtime reads the model from
     * {@link RuntimeSetting#MODEL_DIR}), but in the settings so that the config hash covers it.
     */
    public static final String MODEL_URI_KEY = "EXPLAIN_MODEL_URI";
    /** The key of the model's versions (the versions file's name in the mounted ConfigMap). */
    public static final String VERSIONS_KEY = "versions";

    private static final ObjectMapper CANONICAL =
            new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private DesiredConfigMap() {}

    /**
     * The version's effective settings, keyed by environment variable: the runtime's, and {@link #MODEL_URI_KEY}.
     * The config hash covers them all.
     */
    public static Map<String, String> settings(ExplainableModel m, VersionSpec v) {
        return settings(m.getMetadata().getName(), v);
    }

    /** As {@link #settings(ExplainableModel, VersionSpec)}, for a model named {@code modelName} (a job's own). */
    public static Map<String, String> settings(String modelName, VersionSpec v) {
        ExplanationSpec e = v.getExplanation() == null ? new ExplanationSpec() : v.getExplanation();
        VertexExplanationParameters vertex =
                v.getExplanationSpec() == null ? null : v.getExplanationSpec().getParameters();
        AttributionMethod method = vertex != null
                ? vertex.method()
                : e.getMethod() == null
                        ? AttributionMethod.DEFAULT
                        : e.getMethod().contract();
        Map<String, String> s = new LinkedHashMap<>();
        s.put(RuntimeSetting.MODEL_NAME.env(), modelName);
        s.put(RuntimeSetting.MODEL_VERSION.env(), v.getName());
        s.put(RuntimeSetting.METHOD.env(), method.runtimeName());
        int steps = vertex != null
                ? vertex.steps()
                : e.getIntegralSteps() == null ? ExplanationDefaults.INTEGRAL_STEPS : e.getIntegralSteps();
        int paths = vertex != null ? vertex.paths() : e.getPaths() == null ? ExplanationDefaults.PATHS : e.getPaths();
        s.put(RuntimeSetting.INTEGRAL_STEPS.env(), String.valueOf(steps));
        s.put(RuntimeSetting.PATHS.env(), String.valueOf(paths));
        s.put(MODEL_URI_KEY, v.getModelUri());
        VertexExamples examples = vertex == null ? null : vertex.getExamples();
        if (examples != null) {
            s.put(RuntimeSetting.EXAMPLES_URIS.env(), String.join(",", examples.uris()));
            if (examples.getNeighborCount() != null) {
                s.put(RuntimeSetting.EXAMPLES_NEIGHBOR_COUNT.env(), String.valueOf(examples.getNeighborCount()));
            }
            s.put(RuntimeSetting.EXAMPLES_SEARCH.env(), examples.search());
            s.put(RuntimeSetting.EXAMPLES_DISTANCE.env(), examples.distance());
        }
        MonitoringSpec mon = v.getMonitoring();
        if (mon != null) {
            s.put(
                    RuntimeSetting.MONITORING_SAMPLE_RATE.env(),
                    String.valueOf(
                            mon.getSampleRate() == null ? MonitoringSpec.DEFAULT_SAMPLE_RATE : mon.getSampleRate()));
            if (mon.getWindowSize() != null) {
                s.put(RuntimeSetting.MONITORING_WINDOW_SIZE.env(), String.valueOf(mon.getWindowSize()));
            }
            if (mon.getBaselineUri() != null) {
                s.put(RuntimeSetting.MONITORING_BASELINE_URI.env(), mon.getBaselineUri());
            }
            if (mon.getSkewThreshold() != null) {
                s.put(RuntimeSetting.MONITORING_SKEW_THRESHOLD.env(), String.valueOf(mon.getSkewThreshold()));
            }
            if (mon.getDriftThreshold() != null) {
                s.put(RuntimeSetting.MONITORING_DRIFT_THRESHOLD.env(), String.valueOf(mon.getDriftThreshold()));
            }
        }
        return s;
    }

    /**
     * Inline metadata as canonical JSON (sorted keys), or null when the model folder's file is used: AI Platform's
     * {@code metadata}, or Vertex's {@code explanationSpec.metadata} (the runtime reads either format).
     */
    public static String metadataJson(VersionSpec v) {
        JsonNode metadata = v.getMetadata();
        if ((metadata == null || metadata.isNull()) && v.getExplanationSpec() != null) {
            metadata = v.getExplanationSpec().getMetadata();
        }
        if (metadata == null || metadata.isNull()) {
            return null;
        }
        return canonicalJson(metadata);
    }

    /** {@code metadata} as canonical JSON: sorted keys, so that equal metadata hashes equal. */
    public static String canonicalJson(JsonNode metadata) {
        try {
            return CANONICAL.writeValueAsString(CANONICAL.treeToValue(metadata, Object.class));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the metadata is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Hash of the effective configuration: a change rolls exactly this version's pods ({@link VersionConfig}). */
    public static String configHash(ExplainableModel m, VersionSpec v) {
        return VersionConfig.of(m, v).hash();
    }

    /** As {@link #of(ExplainableModel, VersionSpec, VersionConfig)}, for one version alone. */
    public static ConfigMap of(ExplainableModel m, VersionSpec v) {
        return of(m, v, VersionConfig.of(m, v));
    }

    public static ConfigMap of(ExplainableModel m, VersionSpec v, VersionConfig config) {
        Map<String, String> data = new LinkedHashMap<>(config.settings());
        if (config.metadataJson() != null) {
            data.put(METADATA_FILE, config.metadataJson());
        }
        return new ConfigMapBuilder()
                .withMetadata(DesiredState.meta(
                        m,
                        DesiredState.configMapName(m, v.getName()),
                        Labels.forVersion(m.getMetadata().getName(), v.getName())))
                .withData(data)
                .build();
    }

    /** The model's versions ConfigMap: {@link #VERSIONS_KEY}, its versions' names in the spec's order. */
    public static ConfigMap forModel(ExplainableModel m) {
        Map<String, String> labels = Labels.forModel(m.getMetadata().getName());
        labels.put("app.kubernetes.io/component", "model-versions");
        return new ConfigMapBuilder()
                .withMetadata(DesiredState.meta(m, DesiredState.versionsConfigMapName(m), labels))
                .withData(Map.of(
                        VERSIONS_KEY,
                        VersionList.format(m.getSpec().getVersions().stream()
                                .map(VersionSpec::getName)
                                .toList())))
                .build();
    }
}
