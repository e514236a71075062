package dev.explainable.serving.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;

import dev.explainable.serving.testkit.ControlPlane;
import dev.explainable.serving.testkit.LocalProcesses;
import dev.explainable.serving.testkit.ProcessGroup;
import dev.explainable.serving.testkit.RetryOnConflict;

/**
 * A real worker node on this machine: Debian's containerd and runc run the pods, a kubelet and kube-proxy built
 * from the Kubernetes Go modules (tools/k8s/build-control-plane.sh) serve them. No image is pulled: the pause image
 * is built locally (tools/images/build-pause-image.sh) and the product's images are imported from their Jib
 * tarballs. Needs root on Linux.
 *
 * <p>The node is a test host of its own: its processes run in the network namespace {@value #NETNS}, joined to this
 * machine by a veth pair ({@value #CONTROL_PLANE_ADDRESS} here, where the control plane listens;
 * {@value #NODE_ADDRESS} on the node). The pods sit on the node's bridge {@value #BRIDGE} ({@value #POD_SUBNET}).
 * This machine routes only the pod subnet and the Service range ({@value ControlPlane#SERVICE_RANGE}) into the
 * node, and the node has no default route, so no request of the test — nor anything a pod sends — can leave the
 * machine, and this machine's own network settings (ip_forward, iptables) stay untouched: kube-proxy's rules live
 * in the node.
 */
public final class LocalNode implements AutoCloseable {

    public static final String NAME = "es-node-1";
    public static final String NETNS = "es-node-1";
    /** This machine's end of the veth pair. */
    public static final String HOST_LINK = "es-host0";

    public static final String CONTROL_PLANE_ADDRESS = "10.235.0.1";
    public static final String NODE_ADDRESS = "10.235.0.2";
    public static final String BRIDGE = "es-br0";
    public static final String POD_GATEWAY = "10.234.0.1";
    public static final String POD_SUBNET = "10.234.0.0/24";
    /** The pods' nameserver: the cluster's DNS ({@link ClusterDns}) listens on this machine's end of the veth pair. */
    public static final String CLUSTER_DNS = CONTROL_PLANE_ADDRESS;

    private final Path work;
    private final Path bins;
    private final ProcessGroup processes;
    private Process containerd;

    private LocalNode(Path work, Path bins) {
        this.work = work;
        this.bins = bins;
        this.processes = new ProcessGroup(work, "node");
    }

    /** Why a node cannot run here, or empty; installs Debian's containerd, runc, CNI plugins and iptables if missing. */
    public static Optional<String> unavailableReason() throws Exception {
        if (!System.getProperty("os.name").toLowerCase().contains("linux")) {
            return Optional.of("not Linux");
        }
        if (!"0".equals(run("id", "-u").trim())) {
            return Optional.of("not root (containerd, kubelet and the pod network need root)");
        }
        Process p = new ProcessBuilder(
                        "bash",
                        ControlPlane.repoRoot()
                                .resolve("tools/k8s/ensure-node-packages.sh")
                                .toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            return Optional.of(out.trim());
        }
        return Optional.empty();
    }

    /**
     * The node's network namespace and the veth pair to it, with this machine's routes to the pods and Services;
     * needs to exist before the API server binds to {@value #CONTROL_PLANE_ADDRESS}. Replaces what a crashed earlier
     * run left.
     */
    public static void prepareNetwork() throws Exception {
        removeNetwork();
        run("ip", "netns", "add", NETNS);
        run("ip", "link", "add", HOST_LINK, "type", "veth", "peer", "name", "eth0", "netns", NETNS);
        run("ip", "addr", "add", CONTROL_PLANE_ADDRESS + "/30", "dev", HOST_LINK);
        run("ip", "link", "set", HOST_LINK, "up");
        inNode("ip", "link", "set", "lo", "up");
        inNode("ip", "addr", "add", NODE_ADDRESS + "/30", "dev", "eth0");
        inNode("ip", "link", "set", "eth0", "up");
        inNode("ip", "link", "add", BRIDGE, "type", "bridge");
        inNode("ip", "addr", "add", POD_GATEWAY + "/24", "dev", BRIDGE);
        inNode("ip", "link", "set", BRIDGE, "up");
        // the node routes between its veth and its pods (Service traffic is DNATed there); per namespace
        inNode("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        run("ip", "route", "replace", POD_SUBNET, "via", NODE_ADDRESS, "dev", HOST_LINK);
        run("ip", "route", "replace", ControlPlane.SERVICE_RANGE, "via", NODE_ADDRESS, "dev", HOST_LINK);
    }

    /** Deletes the node's namespace; its veth, bridge, routes and kube-proxy's rules go with it. */
    public static void removeNetwork() throws Exception {
        if (run("ip", "netns", "list").lines().anyMatch(l -> l.split(" ")[0].equals(NETNS))) {
            run("ip", "netns", "delete", NETNS);
        }
        if (new ProcessBuilder("ip", "link", "show", HOST_LINK).start().waitFor() == 0) {
            run("ip", "link", "delete", HOST_LINK);
        }
    }

    /**
     * Refuses an address that this machine would not route into the node: the test's requests go only to the node's
     * pods and Services, never off the machine.
     */
    public static void requireRoutedToNode(String address) throws Exception {
        String route = run("ip", "-4", "route", "get", address);
        if (!route.contains("dev " + HOST_LINK + " ")) {
            throw new IllegalStateException(address + " is not routed into the test node: " + route.trim());
        }
    }

    /** {@code command} in the node's network namespace (this machine's mounts, so the kubelet and containerd share them). */
    static String[] node(String... command) {
        List<String> all = new ArrayList<>(List.of("nsenter", "--net=/var/run/netns/" + NETNS, "--"));
        all.addAll(List.of(command));
        return all.toArray(String[]::new);
    }

    static String inNode(String... command) throws Exception {
        return run(node(command));
    }

    /**
     * Starts containerd, imports the pause image and {@code images} (docker-archive/OCI tarballs), then starts the
     * kubelet and kube-proxy against the control plane and waits until the node is Ready.
     */
    public static LocalNode start(ControlPlane cp, List<Path> images) throws Exception {
        Path bins = ControlPlane.binaries();
        Path pause = Path.of(lastLine(run(
                "bash",
                ControlPlane.repoRoot()
                        .resolve("tools/images/build-pause-image.sh")
                        .toString())));
        Path work = ControlPlane.repoRoot()
                .resolve("e2e/target/local-node/"
                        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss-SSS")));
        Files.createDirectories(work);
        LocalNode node = new LocalNode(work, bins);
        try {
            node.boot(cp, pause, images);
        } catch (Exception e) {
            node.close();
            throw e;
        }
        return node;
    }

    private void boot(ControlPlane cp, Path pause, List<Path> images) throws Exception {
        Path socket = work.resolve("containerd/containerd.sock");
        Files.writeString(work.resolve("containerd.toml"), """
                version = 2
                root = "%1$s/containerd/root"
                state = "%1$s/containerd/state"
                [grpc]
                  address = "%2$s"
                [plugins."io.containerd.grpc.v1.cri"]
                  sandbox_image = "registry.k8s.io/pause:3.10"
                  # this machine forbids lowering oom_score_adj; clamp instead of failing every sandbox
                  restrict_oom_score_adj = true
                  [plugins."io.containerd.grpc.v1.cri".containerd]
                    snapshotter = "overlayfs"
                    default_runtime_name = "runc"
                    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                      runtime_type = "io.containerd.runc.v2"
                      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                        SystemdCgroup = false
                  [plugins."io.containerd.grpc.v1.cri".cni]
                    bin_dir = "/usr/lib/cni"
                    conf_dir = "%1$s/cni"
                """.formatted(work, socket));
        Files.createDirectories(work.resolve("cni"));
        Files.writeString(
                work.resolve("cni/10-explainable.conflist"), """
                {"cniVersion": "0.4.0", "name": "explainable-pods", "plugins": [
                  {"type": "bridge", "bridge": "%s", "isGateway": true, "ipMasq": false, "hairpinMode": true,
                   "ipam": {"type": "host-local", "dataDir": "%s/ipam", "routes": [{"dst": "0.0.0.0/0"}],
                            "ranges": [[{"subnet": "%s", "rangeStart": "10.234.0.10", "gateway": "%s"}]]}},
                  {"type": "portmap", "capabilities": {"portMappings": true}}]}
                """.formatted(BRIDGE, work, POD_SUBNET, POD_GATEWAY));
        containerd = processes.launch(
                "containerd",
                node("containerd", "--config", work.resolve("containerd.toml").toString()));
        processes.await(Duration.ofSeconds(30), () -> Files.exists(socket), "containerd socket");
        for (Path image : concat(pause, images)) {
            run("ctr", "--address", socket.toString(), "-n", "k8s.io", "images", "import", image.toString());
        }

        Files.writeString(work.resolve("kubelet.yaml"), """
                apiVersion: kubelet.config.k8s.io/v1beta1
                kind: KubeletConfiguration
                cgroupDriver: cgroupfs
                failSwapOn: false
                # cgroup v1 hosts (hybrid hierarchies such as this CI machine's) are still supported by 1.34
                failCgroupV1: false
                containerRuntimeEndpoint: unix://%s
                authentication: {anonymous: {enabled: true}, webhook: {enabled: false}}
                authorization: {mode: AlwaysAllow}
                address: %s
                port: 10250
                readOnlyPort: 0
                healthzPort: 0
                podLogsDir: %s/pod-logs
                # a test node shares its disk with the build: never evict or collect images for disk pressure
                enforceNodeAllocatable: []
                localStorageCapacityIsolation: false
                evictionHard: {"memory.available": "100Mi", "nodefs.available": "1%%", "imagefs.available": "1%%",
                               "nodefs.inodesFree": "1%%"}
                imageGCHighThresholdPercent: 100
                imageGCLowThresholdPercent: 99
                resolvConf: /etc/resolv.conf
                # the cluster's DNS (ClusterDns): CoreDNS on this machine's end of the veth pair, as the API server
                clusterDNS: ["%s"]
                clusterDomain: %s
                """.formatted(
                        socket, NODE_ADDRESS, work, CLUSTER_DNS, ClusterDns.DOMAIN));
        String kubeconfig = cp.kubeconfig().toString();
        processes.launch(
                "kubelet",
                node(
                        bins.resolve("kubelet").toString(),
                        "--config=" + work.resolve("kubelet.yaml"),
                        "--kubeconfig=" + kubeconfig,
                        "--root-dir=" + work.resolve("kubelet"),
                        "--cert-dir=" + work.resolve("kubelet/pki"),
                        "--hostname-override=" + NAME,
                        "--node-ip=" + NODE_ADDRESS));
        Files.writeString(work.resolve("kube-proxy.yaml"), """
                apiVersion: kubeproxy.config.k8s.io/v1alpha1
                kind: KubeProxyConfiguration
                clientConnection: {kubeconfig: %s}
                mode: iptables
                hostnameOverride: %s
                clusterCIDR: %s
                bindAddress: %s
                healthzBindAddress: "%s:10256"
                metricsBindAddress: "127.0.0.1:10249"
                nodePortAddresses: ["%s/32"]
                conntrack: {maxPerCore: 0}
                """.formatted(
                        kubeconfig, NAME, POD_SUBNET, NODE_ADDRESS, NODE_ADDRESS, NODE_ADDRESS));
        processes.launch(
                "kube-proxy",
                node(bins.resolve("kube-proxy").toString(), "--config=" + work.resolve("kube-proxy.yaml")));

        KubernetesClient client = cp.client();
        processes.await(
                Duration.ofSeconds(90),
                () -> {
                    Node n = client.nodes().withName(NAME).get();
                    return n != null
                            && n.getStatus() != null
                            && n.getStatus().getConditions().stream()
                                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
                },
                "node " + NAME + " Ready");
    }

    /** e2e/target/local-node/<time>: containerd's, the kubelet's and kube-proxy's logs, and the pods' (pod-logs/). */
    public Path work() {
        return work;
    }

    /**
     * Stops the pods through the kubelet (so CNI releases their addresses and network namespaces), then the node's
     * processes, removes what containerd left and the node's network namespace, and unmounts what stayed mounted.
     */
    public void close(KubernetesClient client) {
        if (client != null && containerd != null) {
            try {
                RetryOnConflict.edit(
                        client.nodes().withName(NAME), n -> n.getSpec().setUnschedulable(true));
                client.pods()
                        .inAnyNamespace()
                        .withField("spec.nodeName", NAME)
                        .withGracePeriod(0)
                        .delete();
                processes.await(
                        Duration.ofSeconds(60), () -> ctr("tasks", "ls", "-q").isBlank(), "pods stopped");
            } catch (Exception e) {
                System.err.println("[node] pods did not stop cleanly: " + e.getMessage());
            }
        }
        close();
    }

    @Override
    public void close() {
        List<Process> launched = processes.processes();
        for (int i = launched.size() - 1; i >= 0; i--) {
            Process p = launched.get(i);
            if (p == containerd) {
                removeContainers();
            }
            LocalProcesses.stop(p);
        }
        try {
            removeNetwork();
        } catch (Exception e) {
            System.err.println("[node] removing the node's network namespace: " + e.getMessage());
        }
        if (!unmountUnder(work)) {
            return; // never delete through something still mounted (a pod's host path)
        }
        // keep the logs, drop the unpacked images and pod volumes (gigabytes per run)
        for (String heavy : List.of("containerd/root", "containerd/state", "kubelet")) {
            deleteTree(work.resolve(heavy));
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("[node] could not delete " + dir + ": " + e.getMessage());
        }
    }

    private void removeContainers() {
        try {
            for (String task : ctr("tasks", "ls", "-q").split("\\s+")) {
                if (!task.isBlank()) {
                    ctrQuietly("tasks", "kill", "-s", "SIGKILL", task);
                    ctrQuietly("tasks", "delete", "-f", task);
                }
            }
            for (String c : ctr("containers", "ls", "-q").split("\\s+")) {
                if (!c.isBlank()) {
                    ctrQuietly("containers", "delete", c);
                }
            }
        } catch (Exception e) {
            System.err.println("[node] removing containers: " + e.getMessage());
        }
    }

    private String ctr(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                "ctr", "--address", work.resolve("containerd/containerd.sock").toString(), "-n", "k8s.io"));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    private void ctrQuietly(String... args) {
        try {
            ctr(args);
        } catch (Exception e) {
            // already gone
        }
    }

    /** Unmounts everything mounted below {@code dir}; true when nothing is left mounted there. */
    private static boolean unmountUnder(Path dir) {
        try {
            List<String> mounts = mountsUnder(dir);
            mounts.sort(Comparator.comparing(String::length).reversed());
            for (String m : mounts) {
                new ProcessBuilder("umount", "-l", m).start().waitFor(10, TimeUnit.SECONDS);
            }
            List<String> left = mountsUnder(dir);
            if (!left.isEmpty()) {
                System.err.println("[node] still mounted under " + dir + ": " + left);
            }
            return left.isEmpty();
        } catch (Exception e) {
            System.err.println("[node] unmounting under " + dir + ": " + e.getMessage());
            return false;
        }
    }

    private static List<String> mountsUnder(Path dir) throws IOException {
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String target = line.split(" ")[1].replace("\\040", " ");
            if (target.startsWith(dir.toString() + "/")) {
                mounts.add(target);
            }
        }
        return mounts;
    }

    static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    private static String lastLine(String s) {
        String t = s.trim();
        return t.substring(t.lastIndexOf('\n') + 1);
    }

    private static List<Path> concat(Path first, List<Path> rest) {
        List<Path> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }
}
