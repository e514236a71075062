package dev.explainable.serving.operator.dependent;

import static dev.explainable.serving.operator.dependent.DesiredStateTest.CONFIG;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;

import dev.explainable.serving.contract.RuntimeSetting;
import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.StorageSpec;
import dev.explainable.serving.operator.api.VersionSpec;

/**
 * {@code spec.auth} on the runtime pods: the mode in the runtime's environment, a ServiceAccount the chart binds to
 * system:auth-delegator, and its token in the runtime container alone (never the model fetcher's).
 */
class CallerChecksOnThePodTest {

    static PodSpec pod(ExplainableModel m) {
        VersionSpec v = m.getSpec().getVersions().get(0);
        return DesiredDeployment.of(m, v, CONFIG).getSpec().getTemplate().getSpec();
    }

    static ExplainableModel gcsModel(String auth) {
        VersionSpec v = Models.version("v1", 0);
        v.setModelUri("gs://models/flowers/1");
        ExplainableModel m = Models.model("flowers", "v1", v);
        if (auth != null) {
            m.getSpec().setAuth(auth);
        }
        return m;
    }

    static String env(Container c, RuntimeSetting setting) {
        return c.getEnv().stream()
                .filter(e -> e.getName().equals(setting.env()))
                .map(EnvVar::getValue)
                .findFirst()
                .orElse(null);
    }

    @Test
    void byDefaultTheRuntimeChecksCallersWithTheTokenOfTheChartsServiceAccountInItsContainerOnly() {
        PodSpec pod = pod(gcsModel(null));
        Container runtime = pod.getContainers().get(0);
        assertThat(env(runtime, RuntimeSetting.AUTH_MODE)).isEqualTo("kubernetes");
        assertThat(pod.getServiceAccountName()).isEqualTo("explainable-runtime");
        assertThat(pod.getAutomountServiceAccountToken())
                .as("no token in every container")
                .isFalse();
        assertThat(runtime.getVolumeMounts()).anySatisfy(vm -> {
            assertThat(vm.getName()).isEqualTo(ApiTokenVolume.NAME);
            assertThat(vm.getMountPath()).isEqualTo("/var/run/secrets/kubernetes.io/serviceaccount");
            assertThat(vm.getReadOnly()).isTrue();
        });
        assertThat(pod.getInitContainers())
                .isNotEmpty()
                .allSatisfy(init -> assertThat(init.getVolumeMounts())
                        .noneMatch(vm -> vm.getName().equals(ApiTokenVolume.NAME)));
        Volume token = pod.getVolumes().stream()
                .filter(vol -> vol.getName().equals(ApiTokenVolume.NAME))
                .findFirst()
                .orElseThrow();
        assertThat(token.getProjected().getSources())
                .extracting(s -> s.getServiceAccountToken() != null
                        ? "token " + s.getServiceAccountToken().getExpirationSeconds()
                        : s.getConfigMap() != null
                                ? "configmap " + s.getConfigMap().getName()
                                : "downward "
                                        + s.getDownwardAPI()
                                                .getItems()
                                                .get(0)
                                                .getFieldRef()
                                                .getFieldPath())
                .containsExactly("token 3600", "configmap kube-root-ca.crt", "downward metadata.namespace");
    }

    @Test
    void authNoneMountsNoTokenAndKeepsTheNamespacesDefaultServiceAccount() {
        PodSpec pod = pod(gcsModel("none"));
        Container runtime = pod.getContainers().get(0);
        assertThat(env(runtime, RuntimeSetting.AUTH_MODE)).isEqualTo("none");
        assertThat(pod.getServiceAccountName()).isNull();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getVolumes()).extracting(Volume::getName).doesNotContain(ApiTokenVolume.NAME);
        assertThat(runtime.getVolumeMounts()).noneMatch(vm -> vm.getName().equals(ApiTokenVolume.NAME));
    }

    @Test
    void theModelsOwnServiceAccountWinsAndTheConfiguredOneIsUsedOtherwise() {
        ExplainableModel m = gcsModel(null);
        StorageSpec storage = new StorageSpec();
        storage.setServiceAccountName("model-reader");
        m.getSpec().setStorage(storage);
        assertThat(pod(m).getServiceAccountName()).isEqualTo("model-reader");

        ExplainableModel plain = gcsModel(null);
        PodSpec other = DesiredDeployment.of(
                        plain,
                        plain.getSpec().getVersions().get(0),
                        TestConfig.of("explainable.operator.runtime-service-account", "callers-checker"))
                .getSpec()
                .getTemplate()
                .getSpec();
        assertThat(other.getServiceAccountName()).isEqualTo("callers-checker");
    }

    @Test
    void changingAuthRollsThePods() {
        String checking = DesiredDeployment.of(
                        gcsModel(null), gcsModel(null).getSpec().getVersions().get(0), CONFIG)
                .getSpec()
                .getTemplate()
                .toString();
        String open = DesiredDeployment.of(
                        gcsModel("none"),
                        gcsModel("none").getSpec().getVersions().get(0),
                        CONFIG)
                .getSpec()
                .getTemplate()
                .toString();
        assertThat(open).isNotEqualTo(checking);
        assertThat(List.of(checking, open))
                .allSatisfy(t -> assertThat(t).doesNotContain("automountServiceAccountToken=true"));
    }
}
