package dev.explainable.serving.operator.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.dependent.AppliedHash;
import dev.explainable.serving.operator.dependent.DesiredState;

/** What the workflow's dependents get: the desired objects stamped, per kind in apply order, split as they manage. */
class DesiredObjectsTest {

    static ExplainableModel model() {
        return Models.model("flowers", "v1", Models.version("v1", 0), Models.version("v2", 0));
    }

    static DesiredObjects desired(ExplainableModel m) {
        return DesiredObjects.stamped(DesiredState.of(m, TestConfig.of()), null);
    }

    @Test
    void eachDependentGetsItsObjectsInApplyOrder() {
        ExplainableModel m = model();
        DesiredObjects desired = desired(m);
        assertThat(desired.ofKind(ConfigMap.class, o -> new VersionConfigMaps().manages(m, o))
                        .keySet())
                .extracting(ResourceID::getName)
                .containsExactly("flowers-v1-explain", "flowers-v2-explain");
        assertThat(desired.named(ConfigMap.class, new ResourceID("flowers-explain-versions", "team-a")))
                .isPresent();
        assertThat(desired.ofKind(Service.class, o -> new VersionServices().manages(m, o))
                        .keySet())
                .extracting(ResourceID::getName)
                .containsExactly("flowers-v1", "flowers-v2");
        assertThat(desired.ofKind(Deployment.class, o -> true).values())
                .allSatisfy(d -> assertThat(AppliedHash.of(d)).isEqualTo(AppliedHash.compute(d)));
        assertThat(desired.deploymentHashes()).containsOnlyKeys("v1", "v2");
    }

    @Test
    void theMatcherIsTheAppliedHash() {
        ExplainableModel m = model();
        Deployment wanted = desired(m)
                .ofKind(Deployment.class, o -> true)
                .values()
                .iterator()
                .next();
        // as the cache has it: what the API server added, and the hash of what was applied
        Deployment cached = new DeploymentBuilder(wanted)
                .editMetadata()
                .withResourceVersion("7")
                .addToLabels("touched-by", "someone")
                .endMetadata()
                .withNewStatus()
                .withReplicas(1)
                .endStatus()
                .build();
        Deployments deployments = new Deployments();
        assertThat(deployments.match(cached, wanted, m, null).matched()).isTrue();
        Deployment older = new DeploymentBuilder(cached)
                .editMetadata()
                .addToAnnotations(AppliedHash.ANNOTATION, "previous")
                .endMetadata()
                .build();
        assertThat(deployments.match(older, wanted, m, null).matched()).isFalse();
    }
}
