package dev.explainable.serving.operator.controlplane;

import static dev.explainable.serving.operator.controlplane.OperatorOnControlPlane.condition;
import static dev.explainable.serving.operator.controlplane.OperatorOnControlPlane.model;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplanationJob;
import dev.explainable.serving.operator.api.ExplanationJobStatus;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.config.OperatorConfig;
import dev.explainable.serving.operator.dependent.Labels;
import dev.explainable.serving.operator.reconciler.ExplainableModelReconciler;
import dev.explainable.serving.operator.reconciler.ExplanationJobReconciler;
import dev.explainable.serving.testkit.RetryOnConflict;

/**
 * A model without versions (what AI Platform's {@code models create} and Vertex's {@code endpoints create} make):
 * the API server accepts it and refuses a defaultVersion without versions and versions without one; the operator
 * gives it no per-version object and a status that says it serves nothing yet (NoVersions), once; a version added
 * converges as any model's does, and when the last one is removed its objects go and the model is back to
 * NoVersions.
 */
class VersionlessModelOnControlPlaneTest {

    static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** Ingresses on, so that the model's Ingress is seen with and without versions. */
    static final OperatorConfig CONFIG = TestConfig.of("explainable.operator.ingress.enabled", "true");

    static final AtomicInteger reconciles = new AtomicInteger();

    /** Counts finished reconciles: a test of "nothing more is written" must know that a reconcile happened. */
    static final Metrics COUNTING = new Metrics() {
        @Override
        public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
            reconciles.incrementAndGet();
        }
    };

    @RegisterExtension
    static final OperatorOnControlPlane cluster = OperatorOnControlPlane.shared(c -> startOperator(c.client()));

    static KubernetesClient client;

    @BeforeAll
    static void client() {
        client = cluster.client();
    }

    static Operator startOperator(KubernetesClient as) {
        Operator op = new Operator(
                o -> o.withKubernetesClient(as).withCloseClientOnStop(false).withMetrics(COUNTING));
        op.register(new ExplainableModelReconciler(as, CONFIG));
        op.register(new ExplanationJobReconciler(as, CONFIG));
        op.start();
        return op;
    }

    static void edit(String ns, String name, Consumer<ExplainableModel> change) {
        RetryOnConflict.edit(
                client.resources(ExplainableModel.class).inNamespace(ns).withName(name), change);
    }

    static Set<String> names(List<? extends HasMetadata> items) {
        return items.stream().map(i -> i.getMetadata().getName()).collect(Collectors.toSet());
    }

    /** The model's objects in {@code ns} (by its label), as "Kind/name". */
    static Set<String> objects(String ns, String model) {
        Set<String> out = new java.util.TreeSet<>();
        List<List<? extends HasMetadata>> kinds = List.of(
                client.apps()
                        .deployments()
                        .inNamespace(ns)
                        .withLabel(Labels.MODEL, model)
                        .list()
                        .getItems(),
                client.services()
                        .inNamespace(ns)
                        .withLabel(Labels.MODEL, model)
                        .list()
                        .getItems(),
                client.configMaps()
                        .inNamespace(ns)
                        .withLabel(Labels.MODEL, model)
                        .list()
                        .getItems(),
                client.policy()
                        .v1()
                        .podDisruptionBudget()
                        .inNamespace(ns)
                        .withLabel(Labels.MODEL, model)
                        .list()
                        .getItems(),
                client.autoscaling()
                        .v2()
                        .horizontalPodAutoscalers()
                        .inNamespace(ns)
                        .withLabel(Labels.MODEL, model)
                        .list()
                        .getItems(),
                client.network()
                        .v1()
                        .networkPolicies()
                        .inNamespace(ns)
                        .withLabel(Labels.MODEL, model)
                        .list()
                        .getItems(),
                client.network()
                        .v1()
                        .ingresses()
                        .inNamespace(ns)
                        .withLabel(Labels.MODEL, model)
                        .list()
                        .getItems());
        for (List<? extends HasMetadata> items : kinds) {
            items.forEach(o -> out.add(o.getKind() + "/" + o.getMetadata().getName()));
        }
        return out;
    }

    /** What a model without versions has: the model's own objects, none of a version. */
    static Set<String> modelObjectsOnly(String model) {
        return Set.of(
                "ConfigMap/" + model + "-explain-versions",
                "Ingress/" + model,
                "NetworkPolicy/" + model,
                "Service/" + model);
    }

    /** The model's status at its generation says it has no versions. */
    static void awaitNoVersions(String ns, String name) {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            ExplainableModel m = cluster.get(ns, name);
            assertThat(m.getStatus()).isNotNull();
            assertThat(m.getStatus().getObservedGeneration())
                    .isEqualTo(m.getMetadata().getGeneration());
            assertThat(condition(m, "Ready").getStatus()).isEqualTo("False");
            assertThat(condition(m, "Ready").getReason()).isEqualTo("NoVersions");
            assertThat(condition(m, "Ready").getMessage()).contains("no versions yet", "spec.versions");
            assertThat(condition(m, "Available").getStatus()).isEqualTo("False");
            assertThat(condition(m, "Available").getReason()).isEqualTo("NoVersions");
            assertThat(condition(m, "Progressing").getStatus()).isEqualTo("False");
            assertThat(condition(m, "Degraded").getStatus()).isEqualTo("False");
            assertThat(m.getStatus().getVersionsReady()).isEqualTo("0/0");
            assertThat(m.getStatus().getVersions()).isEmpty();
            assertThat(m.getStatus().getUrl()).isNull();
        });
    }

    static List<Event> events(String ns, String model) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> model.equals(e.getInvolvedObject().getName())
                        && "ExplainableModel".equals(e.getInvolvedObject().getKind()))
                .toList();
    }

    @Test
    void aModelWithoutVersionsServesNothingUntilOneIsAddedAndAfterTheLastIsRemoved() {
        String ns = cluster.namespace("versionless");
        client.resource(model(ns, "iris", (String) null)).create();
        awaitNoVersions(ns, "iris");
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(objects(ns, "iris")).isEqualTo(modelObjectsOnly("iris")));
        // the model's Service selects no pod, its versions file lists none, its Ingress routes only to its Service
        assertThat(client.services()
                        .inNamespace(ns)
                        .withName("iris")
                        .get()
                        .getSpec()
                        .getSelector())
                .containsEntry(Labels.VERSION, "");
        assertThat(client.configMaps()
                        .inNamespace(ns)
                        .withName("iris-explain-versions")
                        .get()
                        .getData())
                .isEqualTo(Map.of("versions", ""));
        Ingress ingress = client.network()
                .v1()
                .ingresses()
                .inNamespace(ns)
                .withName("iris")
                .get();
        assertThat(ingress.getSpec().getRules().get(0).getHttp().getPaths())
                .allSatisfy(
                        p -> assertThat(p.getBackend().getService().getName()).isEqualTo("iris"));

        // said once: a reconcile of the unchanged model writes no status and records no event
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(events(ns, "iris"))
                        .singleElement()
                        .satisfies(e -> {
                            assertThat(e.getReason()).isEqualTo("Created");
                            assertThat(e.getMessage()).contains("no versions yet");
                        }));
        String resourceVersion = cluster.get(ns, "iris").getMetadata().getResourceVersion();
        int before = reconciles.get();
        client.configMaps().inNamespace(ns).withName("iris-explain-versions").edit(c -> {
            c.getMetadata().getLabels().put("touched-by", "test");
            return c;
        });
        await().atMost(TIMEOUT).until(() -> reconciles.get() > before);
        await().during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(10))
                .until(() -> cluster.get(ns, "iris").getMetadata().getResourceVersion(), resourceVersion::equals);
        assertThat(events(ns, "iris")).hasSize(1);

        // a version arrives: the model converges as any model does
        VersionSpec v1 = OperatorOnControlPlaneTest.version("v1", 0);
        v1.setReplicas(2);
        VersionSpec v2 = OperatorOnControlPlaneTest.version("v2", 0);
        v2.setAutoscaling(Models.cpu(1, 2, 70));
        edit(ns, "iris", m -> {
            m.getSpec().setDefaultVersion("v1");
            m.getSpec().getVersions().add(v1);
            m.getSpec().getVersions().add(v2);
        });
        cluster.awaitReady(ns, "iris", "2/2");
        ExplainableModel ready = cluster.get(ns, "iris");
        assertThat(condition(ready, "Ready").getStatus()).isEqualTo("True");
        assertThat(condition(ready, "Available").getStatus()).isEqualTo("True");
        assertThat(ready.getStatus().getUrl())
                .isEqualTo("http://iris." + ns + ".svc/v1/projects/" + ns + "/models/iris:explain");
        assertThat(objects(ns, "iris"))
                .containsAll(modelObjectsOnly("iris"))
                .contains(
                        "Deployment/iris-v1",
                        "Deployment/iris-v2",
                        "Service/iris-v1",
                        "Service/iris-v2",
                        "ConfigMap/iris-v1-explain",
                        "ConfigMap/iris-v2-explain",
                        "PodDisruptionBudget/iris-v1",
                        "PodDisruptionBudget/iris-v2",
                        "HorizontalPodAutoscaler/iris-v2");
        assertThat(client.services()
                        .inNamespace(ns)
                        .withName("iris")
                        .get()
                        .getSpec()
                        .getSelector())
                .containsEntry(Labels.VERSION, "v1");
        assertThat(client.configMaps()
                        .inNamespace(ns)
                        .withName("iris-explain-versions")
                        .get()
                        .getData())
                .isEqualTo(Map.of("versions", "v1\nv2\n"));
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(client.pods()
                                .inNamespace(ns)
                                .withLabel(Labels.MODEL, "iris")
                                .list()
                                .getItems())
                        .hasSize(3));

        // the last versions go: their objects go with them, and the model is back to NoVersions
        edit(ns, "iris", m -> {
            m.getSpec().setDefaultVersion(null);
            m.getSpec().getVersions().clear();
        });
        awaitNoVersions(ns, "iris");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(objects(ns, "iris")).isEqualTo(modelObjectsOnly("iris"));
            assertThat(client.pods()
                            .inNamespace(ns)
                            .withLabel(Labels.MODEL, "iris")
                            .list()
                            .getItems())
                    .isEmpty();
        });
        assertThat(client.services()
                        .inNamespace(ns)
                        .withName("iris")
                        .get()
                        .getSpec()
                        .getSelector())
                .containsEntry(Labels.VERSION, "");
        assertThat(client.configMaps()
                        .inNamespace(ns)
                        .withName("iris-explain-versions")
                        .get()
                        .getData())
                .isEqualTo(Map.of("versions", ""));
        assertThat(events(ns, "iris"))
                .filteredOn(e -> "Deleted".equals(e.getReason()))
                .extracting(Event::getMessage)
                .anySatisfy(msg -> assertThat(msg).contains("Deployment iris-v1"))
                .anySatisfy(msg -> assertThat(msg).contains("HorizontalPodAutoscaler iris-v2"));
    }

    /** Written without a spec at all (kubectl's smallest manifest), a model is one without versions. */
    @Test
    void aModelWithoutSpecIsOneWithoutVersions() {
        String ns = cluster.namespace("nospec");
        client.genericKubernetesResources(ExplainableModel.GROUP + "/" + ExplainableModel.VERSION, "ExplainableModel")
                .inNamespace(ns)
                .resource(new GenericKubernetesResourceBuilder()
                        .withApiVersion(ExplainableModel.GROUP + "/" + ExplainableModel.VERSION)
                        .withKind("ExplainableModel")
                        .withNewMetadata()
                        .withName("bare")
                        .withNamespace(ns)
                        .endMetadata()
                        .build())
                .create();
        awaitNoVersions(ns, "bare");
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(objects(ns, "bare")).isEqualTo(modelObjectsOnly("bare")));
    }

    /** A batch job of a model without versions has nothing to run: it fails, saying so. */
    @Test
    void aJobOfAModelWithoutVersionsFailsSayingSo() {
        String ns = cluster.namespace("versionless-job");
        client.resource(model(ns, "m", (String) null)).create();
        client.resource(ExplanationJobOnControlPlaneTest.job(ns, "daily", 1)).create();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            ExplanationJob j = client.resources(ExplanationJob.class)
                    .inNamespace(ns)
                    .withName("daily")
                    .get();
            assertThat(j.getStatus()).isNotNull();
            assertThat(j.getStatus().state).isEqualTo(ExplanationJobStatus.FAILED);
            assertThat(j.getStatus().conditions)
                    .anySatisfy(c -> assertThat(c.getMessage()).isEqualTo("model m has no versions yet"));
        });
        assertThat(client.batch().v1().jobs().inNamespace(ns).list().getItems()).isEmpty();
    }

    @Test
    void theApiServerRefusesADefaultVersionWithoutVersionsAndVersionsWithoutOne() {
        String ns = cluster.namespace("versionless-crd");
        // without versions, with versions absent or empty: accepted
        ExplainableModel empty = model(ns, "empty", (String) null);
        assertThat(client.resource(empty).dryRun().create().getMetadata().getName())
                .isEqualTo("empty");
        assertThat(client.genericKubernetesResources(
                                ExplainableModel.GROUP + "/" + ExplainableModel.VERSION, "ExplainableModel")
                        .inNamespace(ns)
                        .resource(new GenericKubernetesResourceBuilder()
                                .withApiVersion(ExplainableModel.GROUP + "/" + ExplainableModel.VERSION)
                                .withKind("ExplainableModel")
                                .withNewMetadata()
                                .withName("absent")
                                .withNamespace(ns)
                                .endMetadata()
                                .addToAdditionalProperties("spec", Map.of("auth", "none"))
                                .build())
                        .dryRun()
                        .create()
                        .getMetadata()
                        .getName())
                .isEqualTo("absent");

        assertRefused(
                model(ns, "m", "v1"),
                "spec.defaultVersion",
                "a model without versions has no defaultVersion: remove defaultVersion, or add its version to"
                        + " versions[]");
        assertRefused(
                model(ns, "m", (String) null, OperatorOnControlPlaneTest.version("v1", 0)),
                "spec.defaultVersion",
                "defaultVersion is required when the model has versions");
        assertRefused(
                model(ns, "m", "v2", OperatorOnControlPlaneTest.version("v1", 0)),
                "spec.defaultVersion",
                "defaultVersion must name one of versions[]");

        // on update too: removing the versions but not the default, or the default but not the versions
        client.resource(model(ns, "m", OperatorOnControlPlaneTest.version("v1", 0)))
                .create();
        assertThatThrownBy(() -> edit(ns, "m", m -> m.getSpec().getVersions().clear()))
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(422))
                .hasMessageContaining("a model without versions has no defaultVersion");
        assertThatThrownBy(() -> edit(ns, "m", m -> m.getSpec().setDefaultVersion(null)))
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(422))
                .hasMessageContaining("defaultVersion is required when the model has versions");
        assertThat(cluster.get(ns, "m").getSpec().getDefaultVersion()).isEqualTo("v1");
        assertThat(cluster.get(ns, "m").getSpec().getVersions()).hasSize(1);
    }

    static void assertRefused(ExplainableModel m, String field, String message) {
        assertThatThrownBy(() -> client.resource(m).create())
                .as(message)
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(422))
                .hasMessageContaining(field)
                .hasMessageContaining(message);
        assertThat(client.resources(ExplainableModel.class)
                        .inNamespace(m.getMetadata().getNamespace())
                        .withName(m.getMetadata().getName())
                        .get())
                .isNull();
    }
}
