package dev.explainable.serving.e2e;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Plays the kubelet of one node, {@link #NODE}, for runtime pods: where a real kubelet would start the runtime
 * container, it starts the runtime process (runtime/target/quarkus-app) with exactly the pod's environment
 * (values and ConfigMap references resolved), its mounted ConfigMap files and host paths (mount paths mapped into
 * a per-pod folder, and environment values pointing into mounts rewritten accordingly), bound to its own loopback
 * address, which becomes the pod IP. A pod turns Ready when its runtime's readiness probe answers, so the real
 * EndpointSlice controller registers it behind its Services; a deleted pod keeps serving for a grace period, then
 * its process stops and the pod is removed. What it does not simulate: container images, cgroups, kube-proxy
 * (callers resolve EndpointSlices themselves), network namespaces (pod IPs are local addresses of this machine)
 * and the JAVA_TOOL_OPTIONS cache path (the host's is shared).
 */
final class PodPlayer implements AutoCloseable {

    static final String NODE = "sim-node-1";
    /**
     * Pod IPs. Kubernetes refuses loopback addresses in EndpointSlices, so the player makes this /24 local
     * ("AnyIP": {@code ip route replace local 10.233.0.0/24 dev lo}), which lets each runtime bind its own address.
     */
    static final String SUBNET = "10.233.0.";

    /** Makes {@link #SUBNET} bindable; false where that is not permitted (not root). */
    static boolean prepareSubnet() {
        try {
            Process p = new ProcessBuilder("ip", "route", "replace", "local", SUBNET + "0/24", "dev", "lo")
                    .redirectErrorStream(true).start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private final KubernetesClient client;
    private final Path runtimeJar;
    private final Path work;
    private final Map<String, Process> processes = new ConcurrentHashMap<>();
    private final Map<String, String> ips = new ConcurrentHashMap<>();
    private final AtomicInteger nextIp = new AtomicInteger(10);
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    PodPlayer(KubernetesClient client, Path runtimeJar, Path work) {
        this.client = client;
        this.runtimeJar = runtimeJar;
        this.work = work;
    }

    void start() {
        Map<String, Quantity> capacity = Map.of("cpu", new Quantity("16"), "memory", new Quantity("64Gi"),
                "pods", new Quantity("110"));
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE)
                .addToLabels("kubernetes.io/hostname", NODE).endMetadata()
                .withNewStatus().withCapacity(capacity).withAllocatable(capacity).endStatus().build()).create();
        loop.scheduleWithFixedDelay(this::tick, 0, 300, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            heartbeat();
            for (Pod pod : client.pods().inAnyNamespace().withField("spec.nodeName", NODE).list().getItems()) {
                handle(pod);
            }
        } catch (RuntimeException e) {
            System.err.println("pod player: " + e);
        }
    }

    private Instant lastBeat = Instant.EPOCH;

    private void heartbeat() {
        if (Duration.between(lastBeat, Instant.now()).getSeconds() < 10) {
            return;
        }
        String now = Instant.now().toString();
        try {
            client.nodes().withName(NODE).editStatus(n -> {
                n.getStatus().setConditions(List.of(new io.fabric8.kubernetes.api.model.NodeConditionBuilder()
                        .withType("Ready").withStatus("True").withReason("KubeletReady").withLastHeartbeatTime(now)
                        .withLastTransitionTime(now).build()));
                return n;
            });
            lastBeat = Instant.now();
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            // a concurrent update of the node (the node controller's): the next tick tries again
        }
    }

    private void handle(Pod pod) {
        String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            Process p = processes.remove(key);
            if (p != null) {
                // as a preStop grace: endpoints are already updated, in-flight requests finish
                loop.schedule(() -> {
                    p.destroy();
                    client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                            .withGracePeriod(0).delete();
                }, 2, TimeUnit.SECONDS);
            } else if (!ips.containsKey(key + "#deleting")) {
                ips.put(key + "#deleting", "");
                client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                        .withGracePeriod(0).delete();
            }
            return;
        }
        if (!processes.containsKey(key)) {
            try {
                processes.put(key, launch(pod, key));
            } catch (IOException e) {
                throw new IllegalStateException("cannot start " + key, e);
            }
            return;
        }
        boolean ready = isReady(ips.get(key));
        boolean marked = pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus()
                .getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        if (ready != marked || pod.getStatus() == null || pod.getStatus().getPodIP() == null) {
            setStatus(pod, ips.get(key), ready);
        }
    }

    private Process launch(Pod pod, String key) throws IOException {
        String ip = SUBNET + nextIp.getAndIncrement();
        ips.put(key, ip);
        Path root = work.resolve(key.replace('/', '_'));
        Files.createDirectories(root);
        Container c = pod.getSpec().getContainers().get(0);
        Map<String, String> mounts = new LinkedHashMap<>(); // mount path -> host path
        for (VolumeMount m : c.getVolumeMounts()) {
            Volume v = pod.getSpec().getVolumes().stream().filter(x -> x.getName().equals(m.getName())).findFirst()
                    .orElseThrow();
            Path target;
            if (v.getHostPath() != null) {
                target = Path.of(v.getHostPath().getPath());
            } else {
                target = root.resolve(m.getMountPath().substring(1));
                Files.createDirectories(target);
                if (v.getConfigMap() != null) {
                    ConfigMap cm = client.configMaps().inNamespace(pod.getMetadata().getNamespace())
                            .withName(v.getConfigMap().getName()).get();
                    for (var e : cm.getData().entrySet()) {
                        Files.writeString(target.resolve(e.getKey()), e.getValue());
                    }
                }
            }
            mounts.put(m.getMountPath(), target.toString());
        }
        List<String> command = new ArrayList<>(List.of("java", "-jar", runtimeJar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(root.resolve("runtime.log").toFile());
        Map<String, String> env = pb.environment();
        for (EnvVar e : c.getEnv()) {
            String value = e.getValue();
            if (e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null) {
                var ref = e.getValueFrom().getConfigMapKeyRef();
                value = client.configMaps().inNamespace(pod.getMetadata().getNamespace()).withName(ref.getName()).get()
                        .getData().get(ref.getKey());
            }
            if (e.getName().equals("JAVA_TOOL_OPTIONS")) {
                continue; // the host's TensorFlow native cache is shared instead of one per pod
            }
            env.put(e.getName(), mapIntoMounts(value, mounts));
        }
        env.put("QUARKUS_HTTP_HOST", ip);
        env.put("QUARKUS_HTTP_PORT", String.valueOf(c.getPorts().get(0).getContainerPort()));
        File dir = root.toFile();
        pb.directory(dir);
        return pb.start();
    }

    /**
     * A value that points into a mount (the mount path itself or below it) rewritten to the host folder behind it;
     * the longest mount path wins, and a value is rewritten at most once.
     */
    static String mapIntoMounts(String value, Map<String, String> mounts) {
        if (value == null) {
            return null;
        }
        String best = null;
        for (String mount : mounts.keySet()) {
            boolean inside = value.equals(mount) || value.startsWith(mount.endsWith("/") ? mount : mount + "/");
            if (inside && (best == null || mount.length() > best.length())) {
                best = mount;
            }
        }
        return best == null ? value : mounts.get(best) + value.substring(best.length());
    }

    private boolean isReady(String ip) {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":8080/q/health/ready"))
                    .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void setStatus(Pod pod, String ip, boolean ready) {
        String now = Instant.now().toString();
        String status = ready ? "True" : "False";
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                .editStatus(p -> {
                    p.setStatus(new PodStatusBuilder().withPhase("Running").withPodIP(ip).withHostIP(SUBNET + "1")
                            .addNewPodIP(ip).withStartTime(now)
                            .addNewCondition().withType("PodScheduled").withStatus("True").endCondition()
                            .addNewCondition().withType("Initialized").withStatus("True").endCondition()
                            .addNewCondition().withType("ContainersReady").withStatus(status).withLastTransitionTime(now)
                            .endCondition()
                            .addNewCondition().withType("Ready").withStatus(status).withLastTransitionTime(now)
                            .endCondition()
                            .addNewContainerStatus().withName(pod.getSpec().getContainers().get(0).getName())
                            .withImage(pod.getSpec().getContainers().get(0).getImage()).withReady(ready)
                            .withRestartCount(0).withStarted(true).withNewState().withNewRunning().withStartedAt(now)
                            .endRunning().endState().endContainerStatus().build());
                    return p;
                });
    }

    int running() {
        return processes.size();
    }

    @Override
    public void close() {
        loop.shutdownNow();
        processes.values().forEach(Process::destroy);
    }
}
