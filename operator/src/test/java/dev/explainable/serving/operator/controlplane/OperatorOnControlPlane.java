package dev.explainable.serving.operator.controlplane;

import java.util.function.Consumer;
import java.util.function.Function;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.reconciler.ExplainableModelReconciler;
import dev.explainable.serving.testkit.ControlPlane;

/**
 * A real control plane with the CRD installed, a test's kwok nodes and the operator running: the fixture every
 * control-plane test of the operator starts, kept in one place so that each test states only its nodes and config.
 */
final class OperatorOnControlPlane implements AutoCloseable {

    private final ControlPlane cp;
    private final Function<ControlPlane, Operator> operatorStarter;
    private Operator operator;

    private OperatorOnControlPlane(ControlPlane cp, Function<ControlPlane, Operator> operatorStarter) {
        this.cp = cp;
        this.operatorStarter = operatorStarter;
    }

    /** Starts the control plane, installs the CRD, runs {@code nodes} (adds the test's nodes), starts the operator. */
    static OperatorOnControlPlane start(TestConfig config, Consumer<ControlPlane> nodes) throws Exception {
        return start(nodes, c -> startOperator(c.client(), config));
    }

    /** As {@link #start(TestConfig, Consumer)}, for a test that starts its operator its own way (identity, metrics). */
    static OperatorOnControlPlane start(Consumer<ControlPlane> nodes, Function<ControlPlane, Operator> operatorStarter)
            throws Exception {
        OperatorOnControlPlane it = new OperatorOnControlPlane(ControlPlane.start(), operatorStarter);
        try {
            it.cp.installCrd();
            nodes.accept(it.cp);
            it.startOperator();
            return it;
        } catch (Exception | Error e) {
            it.close(); // the caller has no reference to close
            throw e;
        }
    }

    /** The operator as the product runs it (its reconciler, JOSDK's defaults), calling the API server as {@code as}. */
    static Operator startOperator(KubernetesClient as, TestConfig config) {
        Operator op = new Operator(o -> o.withKubernetesClient(as).withCloseClientOnStop(false));
        op.register(new ExplainableModelReconciler(as, config));
        op.start();
        return op;
    }

    /** Starts the operator again the way it was started first (after {@link #stopOperator()}, to test a restart). */
    void startOperator() {
        operator = operatorStarter.apply(cp);
    }

    /** Stops the operator, if it runs; the control plane stays. */
    void stopOperator() {
        if (operator != null) {
            operator.stop();
            operator = null;
        }
    }

    ControlPlane cp() {
        return cp;
    }

    /** The admin client of the control plane. */
    KubernetesClient client() {
        return cp.client();
    }

    /** Creates the namespace {@code name}; returns its name. */
    String namespace(String name) {
        client().namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .build())
                .create();
        return name;
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

    /** The model's status condition of {@code type}; fails if the status has none. */
    static Condition condition(ExplainableModel m, String type) {
        return m.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElseThrow();
    }

    /** Stops the operator, then the control plane. */
    @Override
    public void close() {
        stopOperator();
        cp.close();
    }
}
