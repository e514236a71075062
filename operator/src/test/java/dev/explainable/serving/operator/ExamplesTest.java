package dev.explainable.serving.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.utils.Serialization;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplanationJob;
import dev.explainable.serving.operator.dependent.DesiredJob;
import dev.explainable.serving.operator.dependent.DesiredState;
import dev.explainable.serving.operator.dependent.JobModel;
import dev.explainable.serving.operator.policy.ModelPolicy;

/** Every example parses into the API types and maps to objects (the control-plane test applies CRD rules). */
class ExamplesTest {

    @Test
    void examplesAreValidExplainableModels() throws Exception {
        Path dir =
                Path.of(System.getProperty("crds.dir", "../crds")).getParent().resolve("examples");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(4);
        for (Path f : files) {
            if (Files.readString(f).contains("\nkind: ExplanationJob")) {
                ExplanationJob j = Serialization.unmarshal(Files.readString(f), ExplanationJob.class);
                j.getMetadata().setNamespace("default");
                j.getMetadata().setCreationTimestamp("2026-12-06T10:00:00Z");
                JobModel model;
                if (j.getSpec().ownModel()) {
                    model = JobModel.own(j);
                } else {
                    ExplainableModel iris = Serialization.unmarshal(
                            Files.readString(dir.resolve("tabular.yaml")), ExplainableModel.class);
                    iris.getMetadata().setNamespace("default");
                    assertThat(j.getSpec().model.name)
                            .as(f.toString())
                            .isEqualTo(iris.getMetadata().getName());
                    model = JobModel.of(j, iris, DesiredJob.version(iris, j));
                }
                assertThat(DesiredJob.of(j, model, DesiredJob.outputDirectory(j), TestConfig.of())
                                .getSpec()
                                .getCompletions())
                        .as(f.toString())
                        .isEqualTo(j.getSpec().shards())
                        .isGreaterThan(1);
                continue;
            }
            ExplainableModel m = Serialization.unmarshal(Files.readString(f), ExplainableModel.class);
            m.getMetadata().setNamespace("default");
            assertThat(m.getSpec().getVersions()).as(f.toString()).isNotEmpty();
            assertThat(m.getSpec().getVersions())
                    .anyMatch(v -> v.getName().equals(m.getSpec().getDefaultVersion()));
            assertThat(DesiredState.of(m, TestConfig.of("explainable.operator.ingress.enabled", "true")))
                    .isNotEmpty();
            // they work with the operator's default policy: no file:// URI, no image override
            assertThat(ModelPolicy.violations(
                            m,
                            TestConfig.of(
                                    "explainable.operator.ingress.enabled",
                                    "true",
                                    "explainable.operator.policy.allowed-model-paths",
                                    "")))
                    .as(f.toString())
                    .isEmpty();
        }
    }
}
