package dev.explainable.serving.operator.controlplane;

import static dev.explainable.serving.operator.controlplane.OperatorOnControlPlane.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;

import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.RuntimeSpec;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.dependent.Labels;
import dev.explainable.serving.testkit.RetryOnConflict;

/**
 * The operator's policy with its default configuration (nothing allowed): a model asking for a file:// URI or
 * another runtime image gets no objects at all and a status saying why, and gets its objects once it asks for
 * nothing refused; a running model edited into a refused spec keeps running unchanged.
 */
class PolicyOnControlPlaneTest {

    static final Duration TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    static final OperatorOnControlPlane cluster =
            OperatorOnControlPlane.shared(TestConfig.of("explainable.operator.policy.allowed-model-paths", ""));

    static KubernetesClient client;

    @BeforeAll
    static void client() {
        client = cluster.client();
    }

    static VersionSpec version(String name, String uri) {
        VersionSpec v = OperatorOnControlPlaneTest.version(name, 0);
        v.setModelUri(uri);
        return v;
    }

    /** Nothing labelled as the model's exists: no ConfigMap, Deployment, Service or budget was created. */
    static void assertNoObjects(String ns, String model) {
        assertThat(client.apps()
                        .deployments()
                        .inNamespace(ns)
                        .withLabel(Labels.MODEL, model)
                        .list()
                        .getItems())
                .isEmpty();
        assertThat(client.services()
                        .inNamespace(ns)
                        .withLabel(Labels.MODEL, model)
                        .list()
                        .getItems())
                .isEmpty();
        assertThat(client.configMaps()
                        .inNamespace(ns)
                        .withLabel(Labels.MODEL, model)
                        .list()
                        .getItems())
                .isEmpty();
    }

    @Test
    void refusedModelsGetNoObjectsAndAStatusSayingWhy() {
        String ns = "policy";
        cluster.namespace(ns);
        ExplainableModel m = OperatorOnControlPlane.model(
                ns, "m", "v1", version("v1", "file:///"), version("v2", "pvc://claim/m/2"));
        RuntimeSpec runtime = new RuntimeSpec();
        runtime.setImage("evil.example/miner:1");
        m.getSpec().setRuntime(runtime);
        client.resource(m).create();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            ExplainableModel got = cluster.get(ns, "m");
            assertThat(got.getStatus()).isNotNull();
            assertThat(got.getStatus().getObservedGeneration())
                    .isEqualTo(got.getMetadata().getGeneration());
            Condition ready = condition(got, "Ready");
            assertThat(ready.getStatus()).isEqualTo("False");
            assertThat(ready.getReason()).isEqualTo("PolicyViolation");
            assertThat(ready.getMessage())
                    .contains(
                            "version v1: modelUri file:/// is refused",
                            "runtime.image evil.example/miner:1 is refused",
                            "policy.allowedModelPaths",
                            "policy.allowedRuntimeImages");
            Condition degraded = condition(got, "Degraded");
            assertThat(degraded.getStatus()).isEqualTo("True");
            assertThat(degraded.getReason()).isEqualTo("PolicyViolation");
        });
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(
                                client.v1().events().inNamespace(ns).list().getItems())
                        .anySatisfy(e -> {
                            assertThat(e.getReason()).isEqualTo("PolicyViolation");
                            assertThat(e.getType()).isEqualTo("Warning");
                        }));
        assertNoObjects(ns, "m");

        // asking for nothing refused: the objects come
        RetryOnConflict.edit(
                client.resources(ExplainableModel.class).inNamespace(ns).withName("m"), x -> {
                    x.getSpec().setRuntime(null);
                    x.getSpec().getVersions().get(0).setModelUri("https://models.example.org/m/1.tgz");
                });
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(client.apps()
                            .deployments()
                            .inNamespace(ns)
                            .withLabel(Labels.MODEL, "m")
                            .list()
                            .getItems())
                    .hasSize(2);
            ExplainableModel got = cluster.get(ns, "m");
            assertThat(got.getStatus().getObservedGeneration())
                    .isEqualTo(got.getMetadata().getGeneration());
            assertThat(got.getStatus().getConditions()).noneMatch(c -> "PolicyViolation".equals(c.getReason()));
        });

        // edited into a refused spec while running: refused, and what runs stays as it was
        long deploymentGeneration = client.apps()
                .deployments()
                .inNamespace(ns)
                .withName("m-v1")
                .get()
                .getMetadata()
                .getGeneration();
        RetryOnConflict.edit(
                client.resources(ExplainableModel.class).inNamespace(ns).withName("m"),
                x -> x.getSpec().getVersions().get(0).setModelUri("file:///var/lib/kubelet"));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            ExplainableModel got = cluster.get(ns, "m");
            assertThat(got.getStatus().getObservedGeneration())
                    .isEqualTo(got.getMetadata().getGeneration());
            assertThat(condition(got, "Ready").getReason()).isEqualTo("PolicyViolation");
        });
        assertThat(client.apps()
                        .deployments()
                        .inNamespace(ns)
                        .withName("m-v1")
                        .get()
                        .getMetadata()
                        .getGeneration())
                .isEqualTo(deploymentGeneration);
        assertThat(client.apps()
                        .deployments()
                        .inNamespace(ns)
                        .withName("m-v1")
                        .get()
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getVolumes())
                .noneMatch(v -> v.getHostPath() != null);
    }
}
