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

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.api.VertexExplanationParameters;
import dev.explainable.serving.operator.api.VertexExplanationSpec;
import dev.explainable.serving.operator.dependent.Labels;
import dev.explainable.serving.operator.reconciler.ExplainableModelReconciler;
import dev.explainable.serving.testkit.AuditedCall;
import dev.explainable.serving.testkit.RetryOnConflict;

/**
 * What the API server refuses: up front by the CRD (names that would not fit the generated objects, quantities
 * outside Kubernetes' grammar), or later when the operator applies (then the refusal lands in the status with a
 * Warning event). And what the operator writes when nothing changed: nothing, as the API server's audit log shows.
 */
class ApiRefusalsAndWritesOnControlPlaneTest {

    static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** The operator's identity here (impersonated, with every right), to tell its calls apart in the audit log. */
    static final String OPERATOR_USER = "operator-under-test";

    static final Set<String> WRITES = Set.of("create", "update", "patch", "delete", "deletecollection");

    static final AtomicInteger reconciles = new AtomicInteger();

    /** Counts finished reconciles: a test of "no writes" must know that a reconcile happened. */
    static final Metrics COUNTING = new Metrics() {
        @Override
        public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
            reconciles.incrementAndGet();
        }
    };

    @RegisterExtension
    static final OperatorOnControlPlane cluster =
            OperatorOnControlPlane.shared(c -> startOperator(c.clientAs(OPERATOR_USER, "system:masters")));

    static KubernetesClient client;

    @BeforeAll
    static void client() {
        client = cluster.client();
    }

    static Operator startOperator(KubernetesClient asOperator) {
        Operator op = new Operator(o ->
                o.withKubernetesClient(asOperator).withCloseClientOnStop(false).withMetrics(COUNTING));
        op.register(new ExplainableModelReconciler(asOperator, TestConfig.of()));
        op.start();
        return op;
    }

    static void assertRefused(String ns, String name, Consumer<VersionSpec> breakIt, String message) {
        VersionSpec v = OperatorOnControlPlaneTest.version("v1", 0);
        breakIt.accept(v);
        ExplainableModel m = model(ns, name, v);
        assertThatThrownBy(() -> client.resource(m).create())
                .as(name + " " + message)
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(422))
                .hasMessageContaining(message);
    }

    static void assertAccepted(String ns, String name, Consumer<VersionSpec> change) {
        VersionSpec v = OperatorOnControlPlaneTest.version("v1", 0);
        change.accept(v);
        assertThat(client.resource(model(ns, name, v))
                        .dryRun()
                        .create()
                        .getMetadata()
                        .getName())
                .isEqualTo(name);
    }

    @Test
    void theCrdRefusesNamesThatWouldNotFitTheGeneratedObjects() {
        String ns = cluster.namespace("names");
        assertRefused(ns, "my.model", v -> {}, "the model name must be a DNS-1035 label");
        assertRefused(ns, "1model", v -> {}, "the model name must be a DNS-1035 label");
        String sixty = "m".repeat(60);
        // 60 + "-" + "v1" = 63: fits; "v12" would make 64
        assertAccepted(ns, sixty, v -> {});
        assertRefused(ns, sixty, v -> v.setName("v12"), "must fit in 63 characters");
        assertRefused(ns, "m", v -> v.setName("v".repeat(41)), "name");
    }

    /** Vertex's ExplanationSpec is an alternative: given beside AI Platform's fields, the API server refuses it. */
    @Test
    void theCrdRefusesContradictingExplanationSpecs() throws Exception {
        String ns = cluster.namespace("vertex");
        JsonNode vertexMetadata = new ObjectMapper()
                .readTree("{\"inputs\": {\"x\": {\"inputTensorName\": \"x:0\"}}, "
                        + "\"outputs\": {\"y\": {\"outputTensorName\": \"y:0\"}}}");
        assertAccepted(ns, "m", v -> {
            v.setExplanation(null);
            v.setExplanationSpec(vertex(vertexMetadata, 20, null));
        });
        // both written out (a default explanation is dropped when Vertex's spec is set: VersionSpec)
        assertRefused(
                ns,
                "m",
                v -> {
                    v.setExplanation(new dev.explainable.serving.operator.api.ExplanationSpec());
                    v.setExplanationSpec(vertex(null, 20, null));
                },
                "not both");
        assertRefused(
                ns,
                "m",
                v -> {
                    v.setExplanation(null);
                    v.setExplanationSpec(vertex(null, 20, 10));
                },
                "give exactly one of");
        assertRefused(
                ns,
                "m",
                v -> {
                    v.setExplanation(null);
                    v.setExplanationSpec(vertex(null, 101, null));
                },
                "stepCount");
    }

    /** Vertex's examples: one method among the four, files on gs:// or s3://, Vertex's neighbour bound. */
    @Test
    void theCrdChecksExampleBasedExplanations() {
        String ns = cluster.namespace("examples");
        assertAccepted(ns, "m", v -> {
            v.setExplanation(null);
            v.setExplanationSpec(Models.examples(List.of("gs://bucket/set-*.jsonl", "s3://other/set.jsonl"), 5));
        });
        assertRefused(
                ns,
                "m",
                v -> {
                    v.setExplanation(null);
                    v.setExplanationSpec(Models.examples(List.of("file:///etc/passwd"), null));
                },
                "example set URIs are gs:// or s3:// URIs");
        assertRefused(
                ns,
                "m",
                v -> {
                    v.setExplanation(null);
                    v.setExplanationSpec(Models.examples(List.of("gs://bucket/set.jsonl"), 101));
                },
                "neighborCount");
        assertRefused(
                ns,
                "m",
                v -> {
                    v.setExplanation(null);
                    VertexExplanationSpec both = Models.examples(List.of("gs://bucket/set.jsonl"), null);
                    both.getParameters().setXraiAttribution(new VertexExplanationParameters.StepCount());
                    v.setExplanationSpec(both);
                },
                "give exactly one of");
    }

    static VertexExplanationSpec vertex(JsonNode metadata, Integer steps, Integer paths) {
        VertexExplanationSpec spec = new VertexExplanationSpec();
        spec.setMetadata(metadata);
        VertexExplanationParameters p = new VertexExplanationParameters();
        if (steps != null) {
            VertexExplanationParameters.StepCount s = new VertexExplanationParameters.StepCount();
            s.setStepCount(steps);
            p.setIntegratedGradientsAttribution(s);
        }
        if (paths != null) {
            VertexExplanationParameters.PathCount c = new VertexExplanationParameters.PathCount();
            c.setPathCount(paths);
            p.setSampledShapleyAttribution(c);
        }
        spec.setParameters(steps == null && paths == null ? null : p);
        return spec;
    }

    @Test
    void theCrdRefusesQuantitiesOutsideKubernetesGrammar() {
        String ns = cluster.namespace("quantities");
        for (String bad : List.of("-1Gi", "0", "0Gi", "lots", "1GB", "1.5.5", "+2", "1e")) {
            assertRefused(ns, "m", v -> v.getResources().setMemory(bad), "memory");
        }
        assertRefused(ns, "m", v -> v.getResources().setCpu("-500m"), "cpu");
        for (String good : List.of("2Gi", "1.5Gi", "512M", "500m", "2", "0.5", ".5", "1e3", "128974848")) {
            assertAccepted(ns, "m", v -> {
                v.getResources().setMemory(good);
                v.getResources().setCpu(good);
            });
        }
    }

    /**
     * Inline metadata over what a ConfigMap holds (1 MiB) passes the CRD (an object's size is beyond OpenAPI and
     * CEL), but the API server refuses the ConfigMap: the refusal is in the status, with a Warning event.
     */
    @Test
    void anObjectTheApiServerRefusesIsReportedInTheStatusWithAWarningEvent() {
        String ns = cluster.namespace("refused");
        VersionSpec v = OperatorOnControlPlaneTest.version("v1", 0);
        Models.withMetadata(
                v,
                "{\"inputs\": {\"x\": {\"input_tensor_name\": \"x:0\", \"baseline\": \"" + "0".repeat(1_100_000)
                        + "\"}}, \"outputs\": {\"y\": {\"output_tensor_name\": \"y:0\"}}}");
        client.resource(model(ns, "big", v)).create();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            ExplainableModel m = cluster.get(ns, "big");
            assertThat(m.getStatus()).isNotNull();
            assertThat(condition(m, "Degraded").getStatus()).isEqualTo("True");
            assertThat(condition(m, "Degraded").getReason()).isEqualTo("ApplyFailed");
            assertThat(condition(m, "Degraded").getMessage()).contains("big-v1-explain", "Too long");
            assertThat(condition(m, "Ready").getStatus()).isEqualTo("False");
            assertThat(condition(m, "Ready").getReason()).isEqualTo("ApplyFailed");
            assertThat(client.v1().events().inNamespace(ns).list().getItems()).anySatisfy(e -> {
                assertThat(e.getType()).isEqualTo("Warning");
                assertThat(e.getReason()).isEqualTo("ApplyFailed");
                assertThat(e.getInvolvedObject().getName()).isEqualTo("big");
                assertThat(e.getMessage()).contains("Too long");
            });
        });
        // fixed: the error goes away
        RetryOnConflict.edit(
                client.resources(ExplainableModel.class).inNamespace(ns).withName("big"),
                m -> m.getSpec().getVersions().get(0).setMetadata(null));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            ExplainableModel m = cluster.get(ns, "big");
            assertThat(m.getStatus().getObservedGeneration())
                    .isEqualTo(m.getMetadata().getGeneration());
            assertThat(condition(m, "Ready").getStatus()).isEqualTo("True");
            assertThat(condition(m, "Degraded").getStatus()).isEqualTo("False");
        });
    }

    /** The operator's writes so far, as the API server's audit log recorded them. */
    static List<AuditedCall> operatorWrites() throws Exception {
        return cluster.cp().auditedCalls(OPERATOR_USER).stream()
                .filter(c -> WRITES.contains(c.verb()))
                .toList();
    }

    /** Waits until the operator has written nothing for a while (the model converged). */
    static int awaitQuiet() {
        AtomicInteger last = new AtomicInteger(-1);
        await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(3)).until(() -> {
            int now = operatorWrites().size();
            return now == last.getAndSet(now);
        });
        return last.get();
    }

    @Test
    void aReconcileOfAnUnchangedModelWritesNothing() throws Exception {
        String ns = cluster.namespace("quiet");
        int earlier = awaitQuiet(); // other tests' writes
        VersionSpec v2 = OperatorOnControlPlaneTest.version("v2", 0);
        ExplainableModel m = model(ns, "m", OperatorOnControlPlaneTest.version("v1", 0));
        m.getSpec().getVersions().add(v2);
        client.resource(m).create();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            ExplainableModel got = cluster.get(ns, "m");
            assertThat(got.getStatus()).isNotNull();
            assertThat(got.getStatus().getVersionsReady()).isEqualTo("2/2");
        });
        int writes = awaitQuiet();

        // an event on an object the model owns makes the operator reconcile; nothing changed, so nothing is written
        int before = reconciles.get();
        client.configMaps().inNamespace(ns).withName("m-v1-explain").edit(c -> {
            c.getMetadata().getLabels().put("touched-by", "test");
            return c;
        });
        await().atMost(TIMEOUT).until(() -> reconciles.get() > before);
        assertThat(awaitQuiet())
                .as("writes after a reconcile of an unchanged model")
                .isEqualTo(writes);

        // a restarted operator reconciles every model once; still nothing to write
        cluster.stopOperator();
        int beforeRestart = reconciles.get();
        cluster.startOperator();
        await().atMost(TIMEOUT).until(() -> reconciles.get() > beforeRestart);
        assertThat(awaitQuiet()).as("writes after an operator restart").isEqualTo(writes);
        List<AuditedCall> creates = operatorWrites().subList(earlier, writes);
        System.out.println("the operator's writes to create a model of 2 versions: " + creates.size() + " "
                + creates.stream()
                        .map(c -> c.verb() + " " + c.rbacResource())
                        .sorted()
                        .toList());

        // a real change is applied, and only what changed: one version's ConfigMap and Deployment, and status
        RetryOnConflict.edit(
                client.resources(ExplainableModel.class).inNamespace(ns).withName("m"),
                x -> x.getSpec().getVersions().get(1).getExplanation().setIntegralSteps(20));
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(client.configMaps()
                                .inNamespace(ns)
                                .withName("m-v2-explain")
                                .get()
                                .getData())
                        .containsEntry("EXPLAIN_INTEGRAL_STEPS", "20"));
        awaitQuiet();
        List<AuditedCall> applies = operatorWrites()
                .subList(writes, operatorWrites().size())
                .stream()
                .filter(c -> c.verb().equals("patch") && c.subresource().isEmpty())
                .toList();
        assertThat(applies).extracting(AuditedCall::resource).containsExactlyInAnyOrder("configmaps", "deployments");
        assertThat(client.configMaps()
                        .inNamespace(ns)
                        .withLabel(Labels.MODEL, "m")
                        .list()
                        .getItems())
                .as("the versions' ConfigMaps and the model's versions ConfigMap")
                .hasSize(3);
    }
}
