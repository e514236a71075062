package dev.explainable.serving.operator.dependent;

import static dev.explainable.serving.operator.Models.cpu;
import static dev.explainable.serving.operator.Models.inFlight;
import static dev.explainable.serving.operator.dependent.DesiredStateTest.CONFIG;
import static dev.explainable.serving.operator.dependent.DesiredStateTest.find;
import static dev.explainable.serving.operator.dependent.DesiredStateTest.twoVersions;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehaviorBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

import dev.explainable.serving.operator.api.AutoscalingSpec;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.config.OperatorConfig;

/** Autoscaled versions: the HorizontalPodAutoscaler, a Deployment that leaves replicas to it, the budget. */
class DesiredHorizontalPodAutoscalerTest {

    /** flowers with v2 autoscaled as given. */
    static ExplainableModel autoscaled(AutoscalingSpec a) {
        ExplainableModel m = twoVersions();
        m.getSpec().getVersions().get(1).setAutoscaling(a);
        return m;
    }

    @Test
    void anAutoscaledVersionGetsAnAutoscalerAfterItsDeployment() {
        List<HasMetadata> objects = DesiredState.of(autoscaled(cpu(2, 6, 70)), CONFIG);
        assertThat(objects)
                .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                .containsExactly(
                        "NetworkPolicy/flowers",
                        "ConfigMap/flowers-v1-explain",
                        "ConfigMap/flowers-v2-explain",
                        "ConfigMap/flowers-explain-versions",
                        "Deployment/flowers-v1",
                        "Service/flowers-v1",
                        "Deployment/flowers-v2",
                        "Service/flowers-v2",
                        "PodDisruptionBudget/flowers-v2",
                        "HorizontalPodAutoscaler/flowers-v2",
                        "Service/flowers");
        HorizontalPodAutoscaler h = find(objects, HorizontalPodAutoscaler.class, "flowers-v2");
        assertThat(h.getApiVersion()).isEqualTo("autoscaling/v2");
        assertThat(h.getMetadata().getNamespace()).isEqualTo("team-a");
        assertThat(h.getMetadata().getLabels())
                .isEqualTo(find(objects, Deployment.class, "flowers-v2")
                        .getMetadata()
                        .getLabels());
        assertThat(h.getMetadata().getOwnerReferences()).singleElement().satisfies(r -> {
            assertThat(r.getUid()).isEqualTo("uid-1");
            assertThat(r.getController()).isTrue();
        });
        assertThat(h.getSpec().getScaleTargetRef().getApiVersion()).isEqualTo("apps/v1");
        assertThat(h.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(h.getSpec().getScaleTargetRef().getName()).isEqualTo("flowers-v2");
        assertThat(h.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(h.getSpec().getMaxReplicas()).isEqualTo(6);
        assertThat(h.getSpec().getBehavior()).isNull();
    }

    @Test
    void theCpuTargetIsTheRuntimeContainersUtilizationOfItsRequest() {
        ExplainableModel m = autoscaled(cpu(null, 3, 70));
        HorizontalPodAutoscaler h =
                DesiredHorizontalPodAutoscaler.of(m, m.getSpec().getVersions().get(1), CONFIG);
        assertThat(h.getSpec().getMinReplicas()).as("default").isEqualTo(1);
        MetricSpec metric = h.getSpec().getMetrics().get(0);
        assertThat(h.getSpec().getMetrics()).hasSize(1);
        assertThat(metric.getType()).isEqualTo("ContainerResource");
        assertThat(metric.getContainerResource().getName()).isEqualTo("cpu");
        assertThat(metric.getContainerResource().getContainer()).isEqualTo("runtime");
        assertThat(metric.getContainerResource().getTarget().getType()).isEqualTo("Utilization");
        assertThat(metric.getContainerResource().getTarget().getAverageUtilization())
                .isEqualTo(70);
        // the container it names is the runtime's, and it has a CPU request to measure against, also by default
        Deployment d = DesiredDeployment.of(m, m.getSpec().getVersions().get(1), CONFIG);
        var runtime = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(runtime.getName()).isEqualTo("runtime");
        assertThat(runtime.getResources().getRequests()).containsEntry("cpu", new Quantity("1"));
        m.getSpec().getVersions().get(1).getResources().setCpu("500m");
        runtime = DesiredDeployment.of(m, m.getSpec().getVersions().get(1), CONFIG)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
        assertThat(runtime.getResources().getRequests()).containsEntry("cpu", new Quantity("500m"));
    }

    @Test
    void theInFlightTargetIsAPodsMetricUnderTheConfiguredName() {
        ExplainableModel m = autoscaled(inFlight(1, 4, "1500m"));
        VersionSpec v = m.getSpec().getVersions().get(1);
        MetricSpec metric = DesiredHorizontalPodAutoscaler.of(m, v, CONFIG)
                .getSpec()
                .getMetrics()
                .get(0);
        assertThat(metric.getType()).isEqualTo("Pods");
        assertThat(metric.getPods().getMetric().getName()).isEqualTo("explainable_explanations_in_flight");
        assertThat(metric.getPods().getMetric().getSelector()).isNull();
        assertThat(metric.getPods().getTarget().getType()).isEqualTo("AverageValue");
        assertThat(metric.getPods().getTarget().getAverageValue()).isEqualTo(new Quantity("1500m"));

        OperatorConfig.Autoscaling other = () -> "runtime_explanations";
        OperatorConfig renamed = (OperatorConfig) Proxy.newProxyInstance(
                OperatorConfig.class.getClassLoader(),
                new Class<?>[] {OperatorConfig.class},
                (proxy, method, args) -> method.getName().equals("autoscaling") ? other : method.invoke(CONFIG, args));
        assertThat(DesiredHorizontalPodAutoscaler.of(m, v, renamed)
                        .getSpec()
                        .getMetrics()
                        .get(0)
                        .getPods()
                        .getMetric()
                        .getName())
                .isEqualTo("runtime_explanations");
    }

    @Test
    void stabilizationWindowsOrAPassedThroughBehavior() {
        AutoscalingSpec a = cpu(1, 3, 70);
        a.setScaleDownStabilizationSeconds(600);
        ExplainableModel m = autoscaled(a);
        VersionSpec v = m.getSpec().getVersions().get(1);
        HorizontalPodAutoscalerBehavior b =
                DesiredHorizontalPodAutoscaler.of(m, v, CONFIG).getSpec().getBehavior();
        assertThat(b.getScaleDown().getStabilizationWindowSeconds()).isEqualTo(600);
        assertThat(b.getScaleDown().getPolicies()).isEmpty();
        assertThat(b.getScaleUp()).as("autoscaling/v2's default").isNull();
        a.setScaleUpStabilizationSeconds(30);
        b = DesiredHorizontalPodAutoscaler.of(m, v, CONFIG).getSpec().getBehavior();
        assertThat(b.getScaleUp().getStabilizationWindowSeconds()).isEqualTo(30);

        a.setScaleUpStabilizationSeconds(null);
        a.setScaleDownStabilizationSeconds(null);
        HorizontalPodAutoscalerBehavior given = new HorizontalPodAutoscalerBehaviorBuilder()
                .withNewScaleUp()
                .withSelectPolicy("Max")
                .addNewPolicy()
                .withType("Pods")
                .withValue(2)
                .withPeriodSeconds(60)
                .endPolicy()
                .endScaleUp()
                .build();
        a.setBehavior(given);
        b = DesiredHorizontalPodAutoscaler.of(m, v, CONFIG).getSpec().getBehavior();
        assertThat(b).isEqualTo(given).isNotSameAs(given);
    }

    @Test
    void theDeploymentOfAnAutoscaledVersionLeavesReplicasToTheAutoscaler() {
        ExplainableModel m = autoscaled(cpu(2, 6, 70));
        m.getSpec().getVersions().get(1).setReplicas(3);
        List<HasMetadata> objects = DesiredState.of(m, CONFIG);
        assertThat(find(objects, Deployment.class, "flowers-v2").getSpec().getReplicas())
                .isNull();
        assertThat(find(objects, Deployment.class, "flowers-v1").getSpec().getReplicas())
                .isEqualTo(1);
        // the hash differs, so turning autoscaling on or off applies the Deployment again
        Deployment autoscaledDeployment = find(objects, Deployment.class, "flowers-v2");
        m.getSpec().getVersions().get(1).setAutoscaling(null);
        Deployment fixed = find(DesiredState.of(m, CONFIG), Deployment.class, "flowers-v2");
        assertThat(fixed.getSpec().getReplicas()).isEqualTo(3);
        assertThat(AppliedHash.compute(fixed)).isNotEqualTo(AppliedHash.compute(autoscaledDeployment));
        assertThat(DesiredState.of(m, CONFIG)).noneMatch(o -> o instanceof HorizontalPodAutoscaler);
    }

    @Test
    void anAutoscaledVersionHasABudgetWhenItCanGrowPastOnePod() {
        ExplainableModel m = autoscaled(cpu(1, 1, 70));
        assertThat(DesiredState.of(m, CONFIG)).noneMatch(o -> o instanceof PodDisruptionBudget);
        m.getSpec().getVersions().get(1).getAutoscaling().setMaxReplicas(2);
        PodDisruptionBudget pdb = find(DesiredState.of(m, CONFIG), PodDisruptionBudget.class, "flowers-v2");
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(pdb.getSpec().getSelector().getMatchLabels())
                .isEqualTo(Map.of("serving.explainable.dev/model", "flowers", "serving.explainable.dev/version", "v2"));
        // the spec's replicas do not count while autoscaled
        m.getSpec().getVersions().get(1).setReplicas(5);
        m.getSpec().getVersions().get(1).getAutoscaling().setMaxReplicas(1);
        assertThat(DesiredState.of(m, CONFIG)).noneMatch(o -> o instanceof PodDisruptionBudget);
    }

    @Test
    void boundsAreReadSafelyFromAHandMadeObject() {
        AutoscalingSpec a = new AutoscalingSpec();
        assertThat(a.min()).isEqualTo(1);
        assertThat(a.max()).isEqualTo(1);
        a.setMinReplicas(4);
        a.setMaxReplicas(2);
        assertThat(a.max()).as("never below min").isEqualTo(4);
    }
}
