package dev.explainable.serving.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

class StatusCalculatorTest {

    static ExplainableModel model() {
        return Models.model("flowers", "v1", Models.version("v1", 0), Models.version("v2", 4));
    }

    static Deployment deployment(int ready, int updated) {
        return new DeploymentBuilder().withNewMetadata().withGeneration(2L).endMetadata()
                .withNewStatus().withObservedGeneration(2L).withReadyReplicas(ready).withUpdatedReplicas(updated)
                .endStatus().build();
    }

    static Pod unschedulable() {
        return new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewStatus().addNewCondition()
                .withType("PodScheduled").withStatus("False").withReason("Unschedulable")
                .withMessage("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.").endCondition().endStatus().build();
    }

    static Pod crashLooping() {
        return new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewStatus().addNewContainerStatus()
                .withName("runtime").withRestartCount(3).withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                .endWaiting().endState().withNewLastState().withNewTerminated().withExitCode(1)
                .withMessage("model failed to load: no SavedModel at /mnt/models").endTerminated().endLastState()
                .endContainerStatus().endStatus().build();
    }

    static Condition condition(ExplainableModelStatus s, String type) {
        return s.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    @Test
    void readyWhenEveryVersionIsAvailable() {
        ExplainableModelStatus s = StatusCalculator.compute(model(),
                Map.of("v1", deployment(1, 1), "v2", deployment(1, 1)), Map.of(), "2026-01-01T00:00:00Z");
        assertThat(s.getVersionsReady()).isEqualTo("2/2");
        assertThat(condition(s, "Ready").getStatus()).isEqualTo("True");
        assertThat(condition(s, "Available-v2").getStatus()).isEqualTo("True");
        assertThat(s.getObservedGeneration()).isEqualTo(1L);
        assertThat(s.getUrl()).isEqualTo("http://flowers.team-a.svc/v1/projects/team-a/models/flowers:explain");
        assertThat(s.getVersions().get(1).getExplainUrl())
                .isEqualTo("http://flowers-v2.team-a.svc/v1/projects/team-a/models/flowers/versions/v2:explain");
    }

    @Test
    void unschedulableGpuVersionIsDegradedWithTheSchedulersMessage() {
        ExplainableModelStatus s = StatusCalculator.compute(model(), Map.of("v1", deployment(1, 1), "v2", deployment(0, 1)),
                Map.of("v2", List.of(unschedulable())), "t");
        assertThat(s.getVersionsReady()).isEqualTo("1/2");
        Condition d = condition(s, "Degraded-v2");
        assertThat(d.getStatus()).isEqualTo("True");
        assertThat(d.getReason()).isEqualTo("Unschedulable");
        assertThat(d.getMessage()).contains("Insufficient nvidia.com/gpu");
        assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(s, "Ready").getMessage()).contains("v2 Unschedulable");
    }

    @Test
    void crashingRuntimeIsModelLoadFailed() {
        ExplainableModelStatus s = StatusCalculator.compute(model(), Map.of("v1", deployment(0, 1)),
                Map.of("v1", List.of(crashLooping())), "t");
        assertThat(s.getVersions().get(0).getReason()).isEqualTo("ModelLoadFailed");
        assertThat(s.getVersions().get(0).getMessage()).contains("no SavedModel");
        assertThat(s.getVersions().get(1).getReason()).isEqualTo("Creating");
    }

    @Test
    void rollingOutAndLastTransitionTimeKept() {
        ExplainableModel m = model();
        ExplainableModelStatus first = StatusCalculator.compute(m, Map.of("v1", deployment(1, 0)), Map.of(), "t1");
        assertThat(first.getVersions().get(0).getReason()).isEqualTo("RollingOut");
        m.setStatus(first);
        ExplainableModelStatus second = StatusCalculator.compute(m, Map.of("v1", deployment(1, 0)), Map.of(), "t2");
        assertThat(condition(second, "Progressing-v1").getLastTransitionTime()).isEqualTo("t1");
        m.setStatus(second);
        ExplainableModelStatus third = StatusCalculator.compute(m, Map.of("v1", deployment(1, 1)), Map.of(), "t3");
        assertThat(condition(third, "Available-v1").getLastTransitionTime()).isEqualTo("t3");
    }

    @Test
    void previousStatusWithoutConditionsStartsAfresh() {
        ExplainableModel m = model();
        m.setStatus(Serialization.unmarshal("{\"conditions\": null, \"versions\": null}",
                ExplainableModelStatus.class)); // as a hand-written status may say
        assertThat(m.getStatus().getVersions()).isEmpty();
        ExplainableModelStatus s = StatusCalculator.compute(m, Map.of("v1", deployment(1, 1)), Map.of(), "t1");
        assertThat(condition(s, "Available-v1").getLastTransitionTime()).isEqualTo("t1");
    }
}
