package dev.explainable.serving.operator.dependent;

import static dev.explainable.serving.operator.dependent.DesiredStateTest.CONFIG;
import static dev.explainable.serving.operator.dependent.DesiredStateTest.twoVersions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.apps.Deployment;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplanationSpec;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.api.VertexExplanationParameters;
import dev.explainable.serving.operator.api.VertexExplanationSpec;

/** A version's settings and metadata, and the hash that rolls its pods when they change. */
class DesiredConfigMapTest {

    @Test
    void configHashChangesWithMetadataOrMethodOnlyForThatVersion() {
        ExplainableModel before = twoVersions();
        ExplainableModel after = twoVersions();
        Models.withMetadata(after.getSpec().getVersions().get(0), "{\"inputs\": {}, \"outputs\": {}}");
        String h1 = DesiredConfigMap.configHash(
                before, before.getSpec().getVersions().get(0));
        String h1b =
                DesiredConfigMap.configHash(after, after.getSpec().getVersions().get(0));
        assertThat(h1).isNotEqualTo(h1b);
        assertThat(DesiredConfigMap.configHash(
                        before, before.getSpec().getVersions().get(1)))
                .isEqualTo(DesiredConfigMap.configHash(
                        after, after.getSpec().getVersions().get(1)));
        Models.withMethod(after.getSpec().getVersions().get(1), ExplanationSpec.Method.sampledShapley, 50);
        assertThat(DesiredConfigMap.configHash(
                        after, after.getSpec().getVersions().get(1)))
                .isNotEqualTo(DesiredConfigMap.configHash(
                        before, before.getSpec().getVersions().get(1)));
        // key order inside the metadata does not matter
        ExplainableModel a = twoVersions();
        ExplainableModel b = twoVersions();
        Models.withMetadata(a.getSpec().getVersions().get(0), "{\"a\": 1, \"b\": 2}");
        Models.withMetadata(b.getSpec().getVersions().get(0), "{\"b\": 2, \"a\": 1}");
        assertThat(DesiredConfigMap.configHash(a, a.getSpec().getVersions().get(0)))
                .isEqualTo(
                        DesiredConfigMap.configHash(b, b.getSpec().getVersions().get(0)));
        Deployment d = DesiredDeployment.of(after, after.getSpec().getVersions().get(0), CONFIG);
        assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("serving.explainable.dev/config-hash", h1b);
    }

    @Test
    void settingsAreTheRuntimesWithTheContractsDefaults() {
        ExplainableModel m = twoVersions();
        VersionSpec v = m.getSpec().getVersions().get(0);
        v.setExplanation(null);
        assertDefaultSettings(m, v);
        v.setExplanation(new ExplanationSpec());
        assertDefaultSettings(m, v);
        v.getExplanation().setMethod(null);
        v.getExplanation().setIntegralSteps(null);
        v.getExplanation().setPaths(null);
        assertDefaultSettings(m, v);
    }

    static void assertDefaultSettings(ExplainableModel m, VersionSpec v) {
        // the model URI is the operator's own key: it only makes a new URI roll the pods
        assertThat(DesiredConfigMap.settings(m, v))
                .containsExactly(
                        entry("EXPLAIN_MODEL_NAME", "flowers"),
                        entry("EXPLAIN_MODEL_VERSION", "v1"),
                        entry("EXPLAIN_METHOD", "integrated-gradients"),
                        entry("EXPLAIN_INTEGRAL_STEPS", "50"),
                        entry("EXPLAIN_PATHS", "50"),
                        entry("EXPLAIN_MODEL_URI", "pvc://models-claim/flowers/v1"));
    }

    /** Vertex's ExplanationSpec sets the method, its count and the metadata file as AI Platform's fields would. */
    @Test
    void vertexExplanationSpecSetsTheMethodCountAndMetadata() throws Exception {
        ExplainableModel m = twoVersions();
        VersionSpec v = m.getSpec().getVersions().get(0);
        v.setExplanation(null);
        VertexExplanationSpec spec = new VertexExplanationSpec();
        VertexExplanationParameters p = new VertexExplanationParameters();
        VertexExplanationParameters.StepCount xrai = new VertexExplanationParameters.StepCount();
        xrai.setStepCount(80);
        p.setXraiAttribution(xrai);
        spec.setParameters(p);
        spec.setMetadata(new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree("{\"outputs\": {\"y\": {\"outputTensorName\": \"y:0\"}}, "
                        + "\"inputs\": {\"image\": {\"inputTensorName\": \"x:0\", \"modality\": \"image\"}}}"));
        v.setExplanationSpec(spec);
        assertThat(DesiredConfigMap.settings(m, v))
                .containsEntry("EXPLAIN_METHOD", "xrai")
                .containsEntry("EXPLAIN_INTEGRAL_STEPS", "80");
        assertThat(DesiredConfigMap.of(m, v).getData().get(DesiredConfigMap.METADATA_FILE))
                .isEqualTo("{\"inputs\":{\"image\":{\"inputTensorName\":\"x:0\",\"modality\":\"image\"}},"
                        + "\"outputs\":{\"y\":{\"outputTensorName\":\"y:0\"}}}");
        VertexExplanationParameters shapley = new VertexExplanationParameters();
        VertexExplanationParameters.PathCount paths = new VertexExplanationParameters.PathCount();
        paths.setPathCount(7);
        shapley.setSampledShapleyAttribution(paths);
        spec.setParameters(shapley);
        assertThat(DesiredConfigMap.settings(m, v))
                .containsEntry("EXPLAIN_METHOD", "sampled-shapley")
                .containsEntry("EXPLAIN_PATHS", "7");
    }

    @Test
    void monitoringIsTheRuntimesMonitoringSettingsAndRollsOnlyItsVersion() {
        ExplainableModel m = twoVersions();
        VersionSpec v = m.getSpec().getVersions().get(0);
        String before = DesiredConfigMap.configHash(m, v);
        assertThat(DesiredConfigMap.settings(m, v))
                .noneSatisfy((k, x) -> assertThat(k).startsWith("EXPLAIN_MONITORING_"));
        dev.explainable.serving.operator.api.MonitoringSpec mon =
                new dev.explainable.serving.operator.api.MonitoringSpec();
        mon.setBaselineUri("gs://training/iris/prediction-iris-2026_12_01T00_00_00_000Z/attribution.profile-*");
        mon.setSkewThreshold(0.2);
        v.setMonitoring(mon);
        assertThat(DesiredConfigMap.settings(m, v))
                .containsEntry("EXPLAIN_MONITORING_SAMPLE_RATE", "1.0")
                .containsEntry("EXPLAIN_MONITORING_BASELINE_URI", mon.getBaselineUri())
                .containsEntry("EXPLAIN_MONITORING_SKEW_THRESHOLD", "0.2")
                .doesNotContainKeys("EXPLAIN_MONITORING_WINDOW_SIZE", "EXPLAIN_MONITORING_DRIFT_THRESHOLD");
        assertThat(DesiredConfigMap.configHash(m, v)).isNotEqualTo(before);
        mon.setSampleRate(0.25);
        mon.setWindowSize(200);
        assertThat(DesiredConfigMap.settings(m, v))
                .containsEntry("EXPLAIN_MONITORING_SAMPLE_RATE", "0.25")
                .containsEntry("EXPLAIN_MONITORING_WINDOW_SIZE", "200");
    }
}
