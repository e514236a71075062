package dev.explainable.serving.operator.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.extension.ExtensionContext;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplanationJob;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.config.OperatorConfig;
import dev.explainable.serving.operator.reconciler.ExplainableModelReconciler;
import dev.explainable.serving.operator.reconciler.ExplanationJobReconciler;
import dev.explainable.serving.testkit.ControlPlane;
import dev.explainable.serving.testkit.ControlPlaneExtension;

/**
 * The fixture every control-plane test of the operator runs in, as a JUnit 5 extension (a static
 * {@code @RegisterExtension} field, as JOSDK's {@code LocallyRunOperatorExtension}): a real control plane with the CRD
 * installed and kwok nodes, the operator running for the test class (stopped after it), and the class's namespaces.
 *
 * <ul>
 *   <li>{@link #shared(OperatorConfig)}: the control plane every such class shares in the JVM, with two CPU nodes and one
 *       with 2 nvidia.com/gpu; the class's namespaces are deleted after it, and its models gone before the next class's
 *       operator starts.
 *   <li>{@link #own(OperatorConfig, ControlPlaneExtension.Setup)}: a control plane of the class's own, with its nodes.
 * </ul>
 */
final class OperatorOnControlPlane extends ControlPlaneExtension {

    /** The shared control plane's set-up, named. */
    private static final String SHARED = "the CRD; kwok nodes cpu-node-1, cpu-node-2, gpu-node-1 (2 nvidia.com/gpu)";

    private final Function<OperatorOnControlPlane, Operator> operatorStarter;
    private final Map<String, KubernetesClient> clients = new LinkedHashMap<>();
    private Operator operator;

    private OperatorOnControlPlane(
            String sharedKey, Setup setup, Function<OperatorOnControlPlane, Operator> operatorStarter) {
        super(sharedKey, setup);
        this.operatorStarter = operatorStarter;
    }

    /** On the shared control plane, the operator as the product runs it with {@code config}. */
    static OperatorOnControlPlane shared(OperatorConfig config) {
        return shared(c -> startOperator(c.client(), config));
    }

    /** As {@link #shared(OperatorConfig)}, for a test that starts its operator its own way (identity, metrics). */
    static OperatorOnControlPlane shared(Function<OperatorOnControlPlane, Operator> operatorStarter) {
        return new OperatorOnControlPlane(
                SHARED,
                cp -> {
                    cp.installCrd();
                    installJobCrd(cp);
                    cp.addNode("cpu-node-1", 0);
                    cp.addNode("cpu-node-2", 0);
                    cp.addNode("gpu-node-1", 2);
                },
                operatorStarter);
    }

    /** On a control plane of the class's own: the CRD, then {@code nodes} (adds the test's nodes), then the operator. */
    static OperatorOnControlPlane own(OperatorConfig config, Setup nodes) {
        return new OperatorOnControlPlane(
                null,
                cp -> {
                    cp.installCrd();
                    installJobCrd(cp);
                    nodes.accept(cp);
                },
                c -> startOperator(c.client(), config));
    }

    /** Installs the checked-in ExplanationJob CRD (crds/) and waits until the API server serves it. */
    static void installJobCrd(ControlPlane cp) throws java.io.IOException {
        try (var in = java.nio.file.Files.newInputStream(
                ControlPlane.repoRoot().resolve("crds/explanationjobs.serving.explainable.dev-v1.yml"))) {
            var crd = cp.client()
                    .apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .load(in)
                    .item();
            cp.client().resource(crd).serverSideApply();
            cp.awaitEstablished(crd.getMetadata().getName());
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        super.beforeAll(context);
        startOperator();
    }

    /** Stops the operator and closes the clients made for it, then the control plane's part (see the class). */
    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            stopOperator();
            clients.values().forEach(KubernetesClient::close);
            clients.clear();
        } finally {
            super.afterAll(context);
        }
    }

    /**
     * After a class on the shared control plane: no model is left for the next class's operator to see. The models
     * are deleted here, at once (they have no finalizer), rather than after the namespace controller's first pass
     * (5 s); what they own goes with them (the garbage collector) or with the namespace.
     */
    @Override
    protected boolean clear(KubernetesClient client, String namespace) {
        var jobs = client.resources(ExplanationJob.class).inNamespace(namespace);
        jobs.delete();
        var models = client.resources(ExplainableModel.class).inNamespace(namespace);
        models.delete();
        return models.list().getItems().isEmpty() && jobs.list().getItems().isEmpty();
    }

    /** The operator as the product runs it (its reconciler, JOSDK's defaults), calling the API server as {@code as}. */
    static Operator startOperator(KubernetesClient as, OperatorConfig config) {
        Operator op = new Operator(o -> o.withKubernetesClient(as).withCloseClientOnStop(false));
        op.register(new ExplainableModelReconciler(as, config));
        op.register(new ExplanationJobReconciler(as, config));
        op.start();
        return op;
    }

    /** Starts the operator again the way it was started first (after {@link #stopOperator()}, to test a restart). */
    void startOperator() {
        operator = operatorStarter.apply(this);
    }

    /** Stops the operator, if it runs; the control plane stays. */
    void stopOperator() {
        if (operator != null) {
            operator.stop();
            operator = null;
        }
    }

    /**
     * A client acting as {@code user} (the admin impersonates it; {@link ControlPlane#clientAs}), the same one for
     * the class's whole run, closed after its operator stopped.
     */
    KubernetesClient clientAs(String user, String... groups) {
        return clients.computeIfAbsent(user, u -> cp().clientAs(u, groups));
    }

    /** A model in {@code ns} as a user would write it: no uid or generation (the API server sets them). */
    static ExplainableModel model(String ns, String name, String defaultVersion, VersionSpec... versions) {
        ExplainableModel m = Models.model(name, defaultVersion, versions);
        m.getMetadata().setNamespace(ns);
        m.getMetadata().setUid(null);
        m.getMetadata().setGeneration(null);
        return m;
    }

    /** As {@link #model(String, String, String, VersionSpec...)}, the first version the default. */
    static ExplainableModel model(String ns, String name, VersionSpec... versions) {
        return model(ns, name, versions[0].getName(), versions);
    }

    /** Creates the model on the API server; returns it as created. */
    ExplainableModel create(String ns, String name, String defaultVersion, VersionSpec... versions) {
        return client().resource(model(ns, name, defaultVersion, versions)).create();
    }

    /** Creates the model, the first version the default; returns it as created. */
    ExplainableModel create(String ns, String name, VersionSpec... versions) {
        return client().resource(model(ns, name, versions)).create();
    }

    /** The model as the API server has it now (null if there is none). */
    ExplainableModel get(String ns, String name) {
        return client().resources(ExplainableModel.class)
                .inNamespace(ns)
                .withName(name)
                .get();
    }

    /** Waits (90 s at most) for the model's status, at its generation, to count {@code versionsReady}. */
    void awaitReady(String ns, String name, String versionsReady) {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            ExplainableModel m = get(ns, name);
            assertThat(m.getStatus()).isNotNull();
            assertThat(m.getStatus().getObservedGeneration())
                    .isEqualTo(m.getMetadata().getGeneration());
            assertThat(m.getStatus().getVersionsReady()).isEqualTo(versionsReady);
        });
    }

    /** The model's status condition of {@code type}; fails if the status has none. */
    static Condition condition(ExplainableModel m, String type) {
        return m.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElseThrow();
    }
}
