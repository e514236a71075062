package dev.explainable.serving.operator.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.apps.Deployment;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;

class AppliedHashTest {

    static ExplainableModel model() {
        return Models.model("flowers", "v1", Models.version("v1", 0));
    }

    static Deployment deployment(ExplainableModel m) {
        return DesiredDeployment.of(m, m.getSpec().getVersions().get(0), TestConfig.of());
    }

    @Test
    void equalObjectsHashEquallyAndAnyChangeChangesTheHash() {
        String hash = AppliedHash.compute(deployment(model()));
        assertThat(AppliedHash.compute(deployment(model()))).isEqualTo(hash).hasSize(32);
        ExplainableModel replicas = model();
        replicas.getSpec().getVersions().get(0).setReplicas(2);
        assertThat(AppliedHash.compute(deployment(replicas))).isNotEqualTo(hash);
        ExplainableModel memory = model();
        memory.getSpec().getVersions().get(0).getResources().setMemory("3Gi");
        assertThat(AppliedHash.compute(deployment(memory))).isNotEqualTo(hash);
    }

    @Test
    void stampAddsTheAnnotationWhichTheHashLeavesOut() {
        Deployment d = deployment(model());
        String hash = AppliedHash.stamp(d);
        assertThat(AppliedHash.of(d)).isEqualTo(hash);
        // hashing the stamped object again gives the same hash: the annotation is not part of what it covers
        assertThat(AppliedHash.compute(d)).isEqualTo(hash);
        assertThat(AppliedHash.of(deployment(model()))).isNull();
    }
}
