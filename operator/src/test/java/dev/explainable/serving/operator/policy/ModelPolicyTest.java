package dev.explainable.serving.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConditionBuilder;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelStatus;
import dev.explainable.serving.operator.api.RuntimeSpec;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.config.OperatorConfig;

/** The operator's own refusals: file:// model URIs and runtime.image overrides outside the allow-lists. */
class ModelPolicyTest {

    /** The product default: both allow-lists empty. */
    static final OperatorConfig NOTHING_ALLOWED = config(List.of(), List.of());

    static OperatorConfig config(List<String> paths, List<String> images) {
        return TestConfig.of(
                "explainable.operator.policy.allowed-model-paths",
                String.join(",", paths),
                "explainable.operator.policy.allowed-runtime-images",
                String.join(",", images));
    }

    static ExplainableModel model(String... uris) {
        VersionSpec[] versions = new VersionSpec[uris.length];
        for (int i = 0; i < uris.length; i++) {
            versions[i] = Models.version("v" + (i + 1), 0);
            versions[i].setModelUri(uris[i]);
        }
        return Models.model("m", "v1", versions);
    }

    static ExplainableModel withImage(ExplainableModel m, String image) {
        RuntimeSpec r = new RuntimeSpec();
        r.setImage(image);
        m.getSpec().setRuntime(r);
        return m;
    }

    @Test
    void pvcAndHttpModelsWithTheConfiguredImagesAreAlwaysAllowed() {
        assertThat(ModelPolicy.violations(
                        model("pvc://claim/a", "https://example.org/m.tgz", "http://x/m.tgz"), NOTHING_ALLOWED))
                .isEmpty();
        // naming the configured runtime image (CPU or GPU) is no override
        assertThat(ModelPolicy.violations(withImage(model("pvc://c/a"), "example.org/runtime:1"), NOTHING_ALLOWED))
                .isEmpty();
        assertThat(ModelPolicy.violations(withImage(model("pvc://c/a"), "example.org/runtime:1-gpu"), NOTHING_ALLOWED))
                .isEmpty();
    }

    @Test
    void fileUrisAreRefusedByDefaultWithTheSettingThatWouldAllowThem() {
        assertThat(ModelPolicy.violations(model("pvc://c/a", "file:///"), NOTHING_ALLOWED))
                .singleElement()
                .isEqualTo("version v2: modelUri file:/// is refused: file:// model URIs are not allowed by this "
                        + "operator's policy (explainable.operator.policy.allowed-model-paths, Helm: "
                        + "policy.allowedModelPaths)");
    }

    @Test
    void fileUrisOnlyUnderAnAllowedDirectoryComparedBySegments() {
        OperatorConfig srv = config(List.of("/srv/models", "/data/shared/"), List.of());
        assertThat(ModelPolicy.violations(
                        model(
                                "file:///srv/models",
                                "file:///srv/models/iris/1",
                                "file:///srv//models/./iris",
                                "file:///data/shared/x"),
                        srv))
                .isEmpty();
        assertThat(ModelPolicy.violations(model("file:///srv/models2/x"), srv))
                .singleElement()
                .asString()
                .contains("modelUri file:///srv/models2/x is refused: not under a host path allowed")
                .contains("[/srv/models, /data/shared/]");
        assertThat(ModelPolicy.violations(model("file:///srv"), srv)).hasSize(1);
        assertThat(ModelPolicy.violations(model("file:///etc"), srv)).hasSize(1);
        assertThat(ModelPolicy.violations(model("file:///srv/models/../../etc"), srv))
                .singleElement()
                .asString()
                .endsWith("a file:// path must not contain '..'");
    }

    @Test
    void imageOverridesAreRefusedByDefaultAndOtherwiseMatchedByRegistryPathOrRepository() {
        assertThat(ModelPolicy.violations(withImage(model("pvc://c/a"), "evil.example/miner:1"), NOTHING_ALLOWED))
                .singleElement()
                .asString()
                .startsWith(
                        "runtime.image evil.example/miner:1 is refused: image overrides "
                                + "are not allowed by this operator's policy (explainable.operator.policy.allowed-runtime-images");
        OperatorConfig allowed = config(List.of(), List.of("registry.example.org/team-a/", "quay.io/es/runtime"));
        for (String ok : List.of(
                "registry.example.org/team-a/runtime:2",
                "registry.example.org/team-a/x/y@sha256:ab",
                "quay.io/es/runtime",
                "quay.io/es/runtime:0.2",
                "quay.io/es/runtime@sha256:ab")) {
            assertThat(ModelPolicy.violations(withImage(model("pvc://c/a"), ok), allowed))
                    .as(ok)
                    .isEmpty();
        }
        for (String refused : List.of(
                "registry.example.org/team-a-evil/runtime:2",
                "registry.example.org/team-a/",
                "quay.io/es/runtime-evil:1",
                "quay.io/es/runtimes",
                "evil.example/registry.example.org/team-a/x")) {
            assertThat(ModelPolicy.violations(withImage(model("pvc://c/a"), refused), allowed))
                    .as(refused)
                    .singleElement()
                    .asString()
                    .contains("not among the images allowed by this operator's policy");
        }
    }

    @Test
    void everyViolationIsReported() {
        assertThat(ModelPolicy.violations(withImage(model("file:///a", "file:///b"), "x/y:1"), NOTHING_ALLOWED))
                .hasSize(3);
    }

    @Test
    void misleadingAllowListEntriesStopTheOperator() {
        assertThatThrownBy(() -> ModelPolicy.checkConfig(config(List.of("srv/models"), List.of())))
                .hasMessageContaining("srv/models must be an absolute path without '..'");
        assertThatThrownBy(() -> ModelPolicy.checkConfig(config(List.of("/srv/../etc"), List.of())))
                .hasMessageContaining("without '..'");
        assertThatThrownBy(() -> ModelPolicy.checkConfig(config(List.of(), List.of(" "))))
                .hasMessageContaining("empty entry");
        ModelPolicy.checkConfig(config(List.of("/srv/models"), List.of("quay.io/es/")));
    }

    @Test
    void refusedStatusSaysWhyAndKeepsWhatRanBefore() {
        ExplainableModel m = model("file:///etc");
        m.getMetadata().setGeneration(3L);
        ExplainableModelStatus before = new ExplainableModelStatus();
        before.setVersionsReady("1/1");
        before.setUrl("http://m.team-a.svc/v1/projects/team-a/models/m:explain");
        before.getConditions()
                .add(new ConditionBuilder()
                        .withType("Ready")
                        .withStatus("True")
                        .withReason("AllVersionsAvailable")
                        .withLastTransitionTime("2026-01-01T00:00:00Z")
                        .build());
        m.setStatus(before);
        List<String> violations = ModelPolicy.violations(m, NOTHING_ALLOWED);
        ExplainableModelStatus s = PolicyViolationStatus.of(m, violations, "2026-02-02T00:00:00Z");
        assertThat(s.getObservedGeneration()).isEqualTo(3L);
        before.getConditions()
                .add(new ConditionBuilder()
                        .withType("Available")
                        .withStatus("True")
                        .withReason("MinimumReplicasAvailable")
                        .withLastTransitionTime("2026-01-01T00:00:00Z")
                        .build());
        s = PolicyViolationStatus.of(m, violations, "2026-02-02T00:00:00Z");
        // the fixed condition types; what ran before stays Available
        assertThat(s.getConditions())
                .extracting(c -> c.getType() + "=" + c.getStatus() + " " + c.getReason())
                .containsExactly(
                        "Ready=False PolicyViolation",
                        "Available=True MinimumReplicasAvailable",
                        "Progressing=False PolicyViolation",
                        "Degraded=True PolicyViolation");
        assertThat(s.getConditions())
                .filteredOn(c -> "PolicyViolation".equals(c.getReason()))
                .allSatisfy(c -> {
                    assertThat(c.getMessage()).isEqualTo(violations.get(0));
                    assertThat(c.getLastTransitionTime()).isEqualTo("2026-02-02T00:00:00Z");
                    assertThat(c.getObservedGeneration()).isEqualTo(3L);
                });
        assertThat(s.getVersionsReady()).isEqualTo("1/1");
        assertThat(s.getUrl()).isEqualTo(before.getUrl());
        // refused again: the conditions keep their transition time
        m.setStatus(s);
        assertThat(PolicyViolationStatus.of(m, violations, "2026-03-03T00:00:00Z")
                        .getConditions())
                .isEqualTo(s.getConditions());
    }

    /** Both metadata formats on one version contradict each other: refused with the reason in the status. */
    @Test
    void metadataGivenTwiceIsRefused() throws Exception {
        ExplainableModel m = Models.model("m", "v1", Models.withMetadata(Models.version("v1", 0), "{\"inputs\": {}}"));
        VersionSpec v = m.getSpec().getVersions().get(0);
        dev.explainable.serving.operator.api.VertexExplanationSpec spec =
                new dev.explainable.serving.operator.api.VertexExplanationSpec();
        spec.setMetadata(new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"inputs\": {}}"));
        v.setExplanationSpec(spec);
        assertThat(ModelPolicy.violations(m, TestConfig.of("explainable.operator.ingress.enabled", "true")))
                .containsExactly("version v1: give the metadata once: metadata (AI Platform's) or "
                        + "explanationSpec.metadata (Vertex's), not both");
        spec.setMetadata(null);
        assertThat(ModelPolicy.violations(m, TestConfig.of("explainable.operator.ingress.enabled", "true")))
                .isEmpty();
    }
}
