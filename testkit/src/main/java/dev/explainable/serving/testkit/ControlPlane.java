package dev.explainable.serving.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * A real Kubernetes control plane for tests: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
 * kwok (fake nodes that run no containers but go through the real scheduling and pod lifecycle), built from the
 * Go modules by tools/k8s/build-control-plane.sh and cached under ~/.cache. Started and stopped by the tests (for a
 * test class, {@link ControlPlaneExtension}), its logs under the testing module's target/control-plane.
 * {@link #startForNodes(String)} serves on a non-loopback address with ServiceAccount tokens, for real kubelets
 * whose pods call the API server (the e2e module's LocalNode).
 */
public final class ControlPlane implements AutoCloseable {

    public static final String KWOK_TAINT = "kwok.x-k8s.io/node";
    /** The API server's --service-cluster-ip-range: where Services get their ClusterIPs. */
    public static final String SERVICE_RANGE = "10.96.0.0/16";

    private static final String TOKEN = "explainable-test-admin-token";

    private final Path work;
    private Path bins;
    private final ProcessGroup processes;
    private final int apiPort;
    private final String address;
    private final boolean forNodes;
    private KubernetesClient client;

    private ControlPlane(Path work, int apiPort, String address, boolean forNodes) {
        this.work = work;
        this.processes = new ProcessGroup(work, "control-plane");
        this.apiPort = apiPort;
        this.address = address;
        this.forNodes = forNodes;
    }

    public static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("tools/k8s/build-control-plane.sh"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository root (tools/k8s/build-control-plane.sh)");
        }
        return p;
    }

    /** Builds the binaries on first use (cached), then starts every component and waits until it serves. */
    public static ControlPlane start() throws Exception {
        return start("127.0.0.1", false);
    }

    /**
     * A control plane for real nodes: the API server listens on {@code address} (reachable from pod networks) and
     * advertises it as the {@code kubernetes} Service's endpoint, pods get ServiceAccount tokens, and the API server
     * reaches kubelets by their InternalIP.
     */
    public static ControlPlane startForNodes(String address) throws Exception {
        return start(address, true);
    }

    /** The binaries' cache folder, building them first if needed (tools/k8s/build-control-plane.sh). */
    public static Path binaries() throws Exception {
        List<String> out =
                LocalProcesses.build("tools/k8s/build-control-plane.sh", "the control plane", Duration.ofMinutes(60));
        return Path.of(out.get(out.size() - 1));
    }

    private static ControlPlane start(String address, boolean forNodes) throws Exception {
        Path bins = binaries();
        // the logs in the testing module's target/ (operator/target/control-plane, e2e/target/control-plane)
        Path work = Path.of("target/control-plane")
                .toAbsolutePath()
                .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss-SSS")));
        Files.createDirectories(work);
        ControlPlane cp = new ControlPlane(work, LocalProcesses.freePort(), address, forNodes);
        try {
            cp.boot(bins);
        } catch (Exception e) {
            cp.close();
            throw e;
        }
        return cp;
    }

    private void boot(Path bins) throws Exception {
        this.bins = bins;
        KeyPair keys = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        Files.writeString(
                work.resolve("sa.key"), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        Files.writeString(
                work.resolve("sa.pub"), pem("PUBLIC KEY", keys.getPublic().getEncoded()));
        Files.writeString(work.resolve("tokens.csv"), TOKEN + ",admin,admin,system:masters\n");
        Files.writeString(work.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: local, cluster: {server: "https://%s:%d", insecure-skip-tls-verify: true}}]
                users: [{name: admin, user: {token: %s}}]
                contexts: [{name: local, context: {cluster: local, user: admin}}]
                current-context: local
                """.formatted(address, apiPort, TOKEN));
        // every request, at metadata level: what the tests read back with auditedCalls()
        Files.writeString(work.resolve("audit-policy.yaml"), """
                apiVersion: audit.k8s.io/v1
                kind: Policy
                omitStages: ["RequestReceived"]
                rules:
                - level: Metadata
                """);
        int etcdPort = LocalProcesses.freePort();
        String kubeconfig = work.resolve("kubeconfig").toString();
        processes.launch(
                "etcd",
                bins.resolve("etcd").toString(),
                "--data-dir",
                work.resolve("etcd").toString(),
                "--listen-client-urls",
                "http://127.0.0.1:" + etcdPort,
                "--advertise-client-urls",
                "http://127.0.0.1:" + etcdPort,
                "--listen-peer-urls",
                "http://127.0.0.1:" + LocalProcesses.freePort(),
                "--log-level",
                "warn");
        List<String> apiserver = new ArrayList<>(List.of(
                bins.resolve("kube-apiserver").toString(),
                "--etcd-servers=http://127.0.0.1:" + etcdPort,
                "--secure-port=" + apiPort,
                "--bind-address=" + address,
                "--cert-dir=" + work.resolve("certs"),
                "--token-auth-file=" + work.resolve("tokens.csv"),
                "--authorization-mode=RBAC",
                "--service-account-issuer=https://kubernetes.default.svc",
                "--service-account-key-file=" + work.resolve("sa.pub"),
                "--service-account-signing-key-file=" + work.resolve("sa.key"),
                "--service-cluster-ip-range=" + SERVICE_RANGE,
                "--allow-privileged=true",
                "--audit-policy-file=" + work.resolve("audit-policy.yaml"),
                "--audit-log-format=json",
                "--audit-log-path=" + work.resolve("audit.log")));
        if (forNodes) {
            apiserver.addAll(List.of("--advertise-address=" + address, "--kubelet-preferred-address-types=InternalIP"));
        } else {
            // kwok pods run nothing that could use a token; without the plugin no pod waits for its ServiceAccount
            apiserver.add("--disable-admission-plugins=ServiceAccount");
        }
        processes.launch("kube-apiserver", apiserver.toArray(String[]::new));
        client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(Config.empty())
                        .withMasterUrl(apiUrl())
                        .withOauthToken(TOKEN)
                        .withTrustCerts(true)
                        .withRequestTimeout(30_000)
                        .build())
                .build();
        processes.await(Duration.ofSeconds(60), () -> "ok".equals(client.raw("/readyz")), "kube-apiserver ready");
        List<String> controllerManager = new ArrayList<>(List.of(
                bins.resolve("kube-controller-manager").toString(),
                "--kubeconfig=" + kubeconfig,
                "--service-account-private-key-file=" + work.resolve("sa.key"),
                "--secure-port=0",
                "--leader-elect=false",
                "--controllers=*,-serviceaccount-token",
                "--concurrent-gc-syncs=5",
                // client-go's default of 20 requests/s per controller, not the operator, set the pace of tests
                // with many models (OperatorScaleBenchmark)
                "--kube-api-qps=200",
                "--kube-api-burst=400"));
        if (forNodes) {
            // published to every namespace as kube-root-ca.crt, which pods' ServiceAccount volumes include
            controllerManager.add("--root-ca-file=" + work.resolve("certs/apiserver.crt"));
        }
        processes.launch("kube-controller-manager", controllerManager.toArray(String[]::new));
        processes.launch(
                "kube-scheduler",
                bins.resolve("kube-scheduler").toString(),
                "--kubeconfig=" + kubeconfig,
                "--secure-port=0",
                "--leader-elect=false",
                "--kube-api-qps=200",
                "--kube-api-burst=400");
        processes.launch(
                "kwok",
                bins.resolve("kwok").toString(),
                "--kubeconfig=" + kubeconfig,
                "--config=" + bins.resolve("kwok-stages.yaml"),
                "--manage-all-nodes=false",
                "--manage-nodes-with-annotation-selector=" + KWOK_TAINT + "=fake",
                "--manage-nodes-with-label-selector=",
                "--disregard-status-with-annotation-selector=kwok.x-k8s.io/status=custom",
                "--disregard-status-with-label-selector=",
                "--cidr=10.0.0.1/24",
                "--node-ip=10.0.0.1",
                "--node-lease-duration-seconds=40");
    }

    /** A kwok node: schedulable by the real scheduler, its pods marked Running and Ready by kwok. */
    public void addNode(String name, int gpus) {
        addNode(name, gpus, true);
    }

    /**
     * As {@link #addNode(String, int)}; without {@code kwokTaint} the node takes every pod, as a real node does, for
     * tests whose pods come from clients that cannot add a toleration (gcloud's versions).
     */
    public void addNode(String name, int gpus, boolean kwokTaint) {
        Map<String, Quantity> capacity = new java.util.LinkedHashMap<>(
                Map.of("cpu", new Quantity("16"), "memory", new Quantity("64Gi"), "pods", new Quantity("110")));
        NodeBuilder node = new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .addToAnnotations(KWOK_TAINT, "fake")
                .addToLabels("type", "kwok")
                .addToLabels("kubernetes.io/hostname", name)
                .endMetadata()
                .withNewSpec()
                .endSpec();
        if (kwokTaint) {
            node.editSpec()
                    .addNewTaint()
                    .withKey(KWOK_TAINT)
                    .withValue("fake")
                    .withEffect("NoSchedule")
                    .endTaint()
                    .endSpec();
        }
        if (gpus > 0) {
            capacity.put("nvidia.com/gpu", new Quantity(String.valueOf(gpus)));
            // As the NVIDIA device plugin's setups do: only pods that tolerate GPUs land here.
            node.editSpec()
                    .addNewTaint()
                    .withKey("nvidia.com/gpu")
                    .withValue("present")
                    .withEffect("NoSchedule")
                    .endTaint()
                    .endSpec();
            node.editMetadata().addToLabels("nvidia.com/gpu.present", "true").endMetadata();
        }
        node.withNewStatus().withCapacity(capacity).withAllocatable(capacity).endStatus();
        client.nodes().resource(node.build()).create();
    }

    /** Installs the checked-in CRD (crds/) and waits until the API server serves it. */
    public void installCrd() throws IOException {
        try (var in =
                Files.newInputStream(repoRoot().resolve("crds/explainablemodels.serving.explainable.dev-v1.yml"))) {
            var crd = client.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .load(in)
                    .item();
            client.resource(crd).serverSideApply();
            awaitEstablished(crd.getMetadata().getName());
        }
    }

    /** Waits until the API server serves a CustomResourceDefinition (condition Established). */
    public void awaitEstablished(String crdName) {
        client.apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName(crdName)
                // the first status the API server writes may carry no conditions yet
                .waitUntilCondition(
                        c -> c.getStatus() != null
                                && c.getStatus().getConditions() != null
                                && c.getStatus().getConditions().stream()
                                        .anyMatch(
                                                x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
                        30,
                        TimeUnit.SECONDS);
    }

    /** A binary built by tools/k8s/build-control-plane.sh (helm, kube-apiserver, ...). */
    public Path binary(String name) {
        return bins.resolve(name);
    }

    /** A client acting as {@code user} (the admin impersonates it), to check what RBAC grants that identity. */
    public KubernetesClient clientAs(String user, String... groups) {
        return new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(Config.empty())
                        .withMasterUrl(apiUrl())
                        .withOauthToken(TOKEN)
                        .withTrustCerts(true)
                        .withImpersonateUsername(user)
                        .withImpersonateGroups(groups)
                        .withRequestTimeout(30_000)
                        .build())
                .build();
    }

    /** The requests {@code user} made so far (directly or impersonated), from the API server's audit log. */
    public List<AuditedCall> auditedCalls(String user) throws IOException {
        return AuditedCall.read(work.resolve("audit.log")).stream()
                .filter(c -> c.user().equals(user))
                .toList();
    }

    /** The admin kubeconfig (for helm, kubelets and kube-proxy). */
    public Path kubeconfig() {
        return work.resolve("kubeconfig");
    }

    private String apiUrl() {
        return "https://" + address + ":" + apiPort;
    }

    public KubernetesClient client() {
        return client;
    }

    public Path work() {
        return work;
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
        processes.close();
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
