package dev.explainable.serving.operator.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.RuntimeSpec;
import dev.explainable.serving.operator.policy.ModelPolicy;

/** The settings as SmallRye Config maps them (the operator's own defaults; env as the Helm chart sets it). */
class OperatorConfigDefaultsTest {

    static OperatorConfig fromEnv(Map<String, String> env) {
        return TestConfig.from(env);
    }

    @Test
    void byDefaultNeitherFileUrisNorImageOverridesAreAllowed() {
        OperatorConfig config = fromEnv(Map.of());
        assertThat(config.policy().allowedModelPaths()).isEmpty();
        assertThat(config.policy().allowedRuntimeImages()).isEmpty();
        ExplainableModel m = Models.model("m", "v1", Models.version("v1", 0));
        m.getSpec().getVersions().get(0).setModelUri("file:///var/lib/kubelet");
        RuntimeSpec runtime = new RuntimeSpec();
        runtime.setImage("evil.example/miner:1");
        m.getSpec().setRuntime(runtime);
        assertThat(ModelPolicy.violations(m, config)).hasSize(2);
    }

    @Test
    void allowListsAreCommaSeparatedEnvValues() {
        OperatorConfig config = fromEnv(Map.of(
                "EXPLAINABLE_OPERATOR_POLICY_ALLOWED_MODEL_PATHS", "/srv/models,/data",
                "EXPLAINABLE_OPERATOR_POLICY_ALLOWED_RUNTIME_IMAGES", "quay.io/es/"));
        assertThat(config.policy().allowedModelPaths()).isEqualTo(Optional.of(List.of("/srv/models", "/data")));
        assertThat(config.policy().allowedRuntimeImages()).isEqualTo(Optional.of(List.of("quay.io/es/")));
        // the chart leaves the variable out when a list is empty; an empty value means unset as well
        assertThat(fromEnv(Map.of("EXPLAINABLE_OPERATOR_POLICY_ALLOWED_MODEL_PATHS", ""))
                        .policy()
                        .allowedModelPaths())
                .isEmpty();
    }

    @Test
    void theInFlightMetricHasADefaultNameTheChartCanChange() {
        assertThat(fromEnv(Map.of()).autoscaling().inFlightMetric()).isEqualTo("explainable_explanations_in_flight");
        assertThat(fromEnv(Map.of("EXPLAINABLE_OPERATOR_AUTOSCALING_IN_FLIGHT_METRIC", "inflight"))
                        .autoscaling()
                        .inFlightMetric())
                .isEqualTo("inflight");
    }
}
