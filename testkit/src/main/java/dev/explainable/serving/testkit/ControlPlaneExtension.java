package dev.explainable.serving.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * A real control plane for a test class, as a JUnit 5 extension in a static {@code @RegisterExtension} field.
 *
 * <ul>
 *   <li>{@link #shared(String, Setup)}: one control plane per JVM for every class that names the same key, started
 *       and set up (nodes, CRDs) by the first of them and stopped when the test run ends. A class's namespaces
 *       ({@link #namespace(String)}) are deleted when it ends, and {@link #clear}ed before the next class starts, so
 *       that each class finds the cluster as the set-up left it.
 *   <li>{@link #own(Setup)}: the class's own control plane, stopped after it: for tests that need other nodes or
 *       change what the whole cluster sees (cordoned nodes, cluster-wide RBAC, the API server's audit log read as a
 *       whole).
 * </ul>
 *
 * Test classes run one after another (JUnit's default); a shared control plane serves one class at a time.
 */
public class ControlPlaneExtension implements BeforeAllCallback, AfterAllCallback {

    /** What a control plane gets before its first test class runs. */
    public interface Setup {
        void accept(ControlPlane cp) throws Exception;
    }

    private static final ExtensionContext.Namespace STORE =
            ExtensionContext.Namespace.create(ControlPlaneExtension.class);

    /** How long a class's deleted namespaces may take to be {@link #clear}ed. */
    private static final Duration NAMESPACES_CLEARED = Duration.ofSeconds(90);

    private final String sharedKey;
    private final Setup setup;
    private final List<String> namespaces = new ArrayList<>();
    private ControlPlane cp;

    /** {@code sharedKey} null: the class's own control plane. */
    protected ControlPlaneExtension(String sharedKey, Setup setup) {
        this.sharedKey = sharedKey;
        this.setup = setup;
    }

    /**
     * The control plane that every class naming {@code key} shares in this JVM; {@code setup} runs once, when the
     * first of them starts it (so the same key must always come with the same set-up).
     */
    public static ControlPlaneExtension shared(String key, Setup setup) {
        return new ControlPlaneExtension(key, setup);
    }

    /** A control plane for this class alone, set up by {@code setup}. */
    public static ControlPlaneExtension own(Setup setup) {
        return new ControlPlaneExtension(null, setup);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (sharedKey == null) {
            cp = start(setup);
            return;
        }
        // closed (ControlPlane is AutoCloseable) when the root context closes: after the last test class
        cp = context.getRoot()
                .getStore(STORE)
                .getOrComputeIfAbsent(
                        sharedKey,
                        key -> {
                            try {
                                return start(setup);
                            } catch (Exception e) {
                                throw new IllegalStateException("starting the shared control plane (" + key + ")", e);
                            }
                        },
                        ControlPlane.class);
    }

    private static ControlPlane start(Setup setup) throws Exception {
        ControlPlane cp = ControlPlane.start();
        try {
            setup.accept(cp);
            return cp;
        } catch (Exception | Error e) {
            cp.close();
            throw e;
        }
    }

    /** Stops the class's own control plane; on a shared one, deletes the class's namespaces. */
    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (cp == null) {
            return;
        }
        try {
            if (sharedKey == null) {
                cp.close();
            } else {
                deleteNamespaces();
            }
        } finally {
            cp = null;
            namespaces.clear();
        }
    }

    /**
     * Deletes the namespaces and {@link #clear}s each. Their pods go at once (grace period 0): no kubelet confirms a
     * pod's end here, and kwok leaves the pods a test took over ({@code kwok.x-k8s.io/status=custom}) alone, which
     * would keep their namespace terminating.
     */
    private void deleteNamespaces() {
        KubernetesClient client = cp.client();
        for (String ns : namespaces) {
            client.namespaces().withName(ns).delete();
        }
        Awaitility.await("the namespaces " + namespaces + " of the test class cleared")
                .atMost(NAMESPACES_CLEARED)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(250))
                .ignoreExceptions()
                .until(() -> {
                    boolean cleared = true;
                    for (String ns : namespaces) {
                        client.pods().inNamespace(ns).withGracePeriod(0).delete();
                        cleared &= clear(client, ns);
                    }
                    return cleared;
                });
    }

    /**
     * Clears a deleted namespace of the class that just ended so that it cannot affect the next class; true once it
     * has (called until then). Here: true once the namespace is gone. The namespace controller takes its time (seconds
     * for its first pass, then half the pods' grace period before it looks again), so an extension that knows what
     * matters deletes that itself and says so sooner (the operator's: its custom resources).
     */
    protected boolean clear(KubernetesClient client, String namespace) {
        return client.namespaces().withName(namespace).get() == null;
    }

    /** The control plane (the class's own, or the shared one). */
    public ControlPlane cp() {
        if (cp == null) {
            throw new IllegalStateException("no control plane: the extension runs around a test class only");
        }
        return cp;
    }

    /** The admin client of the control plane. */
    public KubernetesClient client() {
        return cp().client();
    }

    /** Creates the namespace {@code name} for this class (deleted after it on a shared control plane); its name. */
    public String namespace(String name) {
        return namespace(name, Map.of());
    }

    /** As {@link #namespace(String)}, with labels (Pod Security's, for one). */
    public String namespace(String name, Map<String, String> labels) {
        client().namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withLabels(labels)
                        .endMetadata()
                        .build())
                .create();
        namespaces.add(name);
        return name;
    }
}
