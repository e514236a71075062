package dev.explainable.serving.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

import dev.explainable.serving.operator.dependent.Labels;
import dev.explainable.serving.testkit.ControlPlane;
import dev.explainable.serving.testkit.HelmChart;

/**
 * The whole path on a real single-node cluster built on this machine, no Docker needed: the control plane of the
 * operator tests, a kubelet with Debian's containerd and runc ({@link LocalNode}), kube-proxy, the chart installed
 * with {@code helm install} (the operator runs as a pod from its image), and the runtime pods started from the
 * runtime image. Requests go to the Services' ClusterIPs, which kube-proxy's iptables rules route to the pods.
 * After {@link ExplainScenario}, {@link GcsModelScenario} serves a model from {@code gs://}: fake-gcs-server
 * ({@link FakeGcsServer}) listens on {@value LocalNode#CONTROL_PLANE_ADDRESS}, this machine's end of the node's veth
 * pair, which the pods reach through the node as they reach the API server. Then {@link BatchJobScenario} runs an
 * ExplanationJob of that model as an Indexed Job on the node, its input and output on the same server. The cluster's DNS ({@link ClusterDns},
 * CoreDNS) listens there too, as the pods' nameserver: a runtime forwards a request for another version to that
 * version's Service by name.
 * Skipped with one line where the node cannot run (not root, not Linux, containerd cannot be installed) or the
 * image tarballs are missing or stale; on CI ({@code CI=true}) missing or stale tarballs fail the build instead.
 */
class LocalClusterEndToEndTest {

    static final Path RUNTIME_IMAGE = ExplainScenario.ROOT.resolve("runtime/target/jib-image.tar");
    static final Path OPERATOR_IMAGE = ExplainScenario.ROOT.resolve("operator/target/jib-image.tar");
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final boolean CI = "true".equals(System.getenv("CI"));
    static final Map<String, String> CLUSTER_IPS = new ConcurrentHashMap<>();

    static ControlPlane cp;
    static LocalNode node;
    static ClusterDns dns;
    static KubernetesClient client;

    @BeforeAll
    static void start() throws Exception {
        boolean images = fresh(RUNTIME_IMAGE, "runtime") && fresh(OPERATOR_IMAGE, "operator");
        if (!CI) {
            Assumptions.assumeTrue(
                    images,
                    "image tarballs missing or older than the build (./mvnw -Pimages verify "
                            + "builds them): local-cluster end-to-end test skipped");
        }
        assertThat(images).as("image tarballs built by this build (-Pimages)").isTrue();
        // A machine that cannot host a node at all (no root, no apt) skips even on CI; one that can must pass.
        Optional<String> why = LocalNode.unavailableReason();
        Assumptions.assumeTrue(
                why.isEmpty(),
                () -> "no local node (" + why.orElse("") + "): local-cluster " + "end-to-end test skipped");
        LocalNode.prepareNetwork();
        cp = ControlPlane.startForNodes(LocalNode.CONTROL_PLANE_ADDRESS);
        client = cp.client();
        node = LocalNode.start(cp, List.of(RUNTIME_IMAGE, OPERATOR_IMAGE));
        // the cluster's DNS, where the kubelet points the pods (LocalNode.CLUSTER_DNS), before any pod starts
        long dnsStart = System.nanoTime();
        dns = ClusterDns.start(LocalNode.CLUSTER_DNS, cp.kubeconfig(), node.work());
        assertThat(dns.awaitLookUp("kubernetes.default.svc." + ClusterDns.DOMAIN, Duration.ofSeconds(60)))
                .as("the API server's Service by its cluster name")
                .containsExactly(client.services()
                        .inNamespace("default")
                        .withName("kubernetes")
                        .get()
                        .getSpec()
                        .getClusterIP());
        System.out.printf(
                "cluster DNS (CoreDNS) serving in %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - dnsStart));
    }

    @AfterAll
    static void stop() {
        if (dns != null) {
            dns.close();
        }
        if (node != null) {
            node.close(client);
        }
        if (cp != null) {
            cp.close();
        }
    }

    /** The tarball exists and was built after the module's quarkus-app (not left over from an earlier build). */
    static boolean fresh(Path tarball, String module) throws Exception {
        Path app = ExplainScenario.ROOT.resolve(module + "/target/quarkus-app/quarkus-run.jar");
        return Files.exists(tarball)
                && Files.exists(app)
                && Files.getLastModifiedTime(tarball).compareTo(Files.getLastModifiedTime(app)) >= 0;
    }

    /** Through the Service's ClusterIP (routed into the node, checked once), as a client next to the node would. */
    static ExplainScenario.Reply viaClusterIp(String service, String path, String body, String token) throws Exception {
        String ip = CLUSTER_IPS.computeIfAbsent(service, n -> {
            String clusterIp = client.services()
                    .inNamespace(ExplainScenario.NS)
                    .withName(n)
                    .get()
                    .getSpec()
                    .getClusterIP();
            try {
                LocalNode.requireRoutedToNode(clusterIp);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return clusterIp;
        });
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + ip + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new ExplainScenario.Reply(r.statusCode(), r.body());
    }

    /**
     * The kubelet's probes and a metrics scraper reach each runtime pod's management port (9000) without a token (the
     * pods are Ready, so the probes passed); the API port, where callers are checked, serves no metrics.
     */
    static void managementPortAnswersWithoutATokenAndTheApiPortServesNoMetrics() throws Exception {
        List<Pod> pods = client.pods()
                .inNamespace(ExplainScenario.NS)
                .withLabel(Labels.MODEL, "iris")
                .list()
                .getItems();
        assertThat(pods).isNotEmpty();
        for (Pod pod : pods) {
            String ip = pod.getStatus().getPodIP();
            LocalNode.requireRoutedToNode(ip);
            HttpResponse<String> metrics = get("http://" + ip + ":9000/q/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("explainable_");
            assertThat(get("http://" + ip + ":9000/q/health/ready").statusCode())
                    .isEqualTo(200);
            assertThat(get("http://" + ip + ":8080/q/metrics").statusCode()).isNotEqualTo(200);
        }
        System.out.printf("management port: metrics and readiness of %d runtime pods without a token%n", pods.size());
    }

    static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void helmInstallApplyExampleAndExplainThroughServicesWhileRolling() throws Exception {
        ExplainScenario scenario = new ExplainScenario(client, LocalClusterEndToEndTest::viaClusterIp);
        scenario.createNamespace();
        ExplainScenario.helmInstall(cp.kubeconfig());
        String token = scenario.grantCaller();
        assertThat(client.pods().inNamespace("es-system").list().getItems())
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.getSpec().getNodeName()).isEqualTo(LocalNode.NAME);
                    assertThat(p.getStatus().getContainerStatuses().get(0).getImageID())
                            .isNotBlank();
                });
        Path models = ExplainScenario.stageModel(ExplainScenario.ROOT.resolve("e2e/target/models"));
        scenario.createModelsClaim(models.toString());
        scenario.run();
        managementPortAnswersWithoutATokenAndTheApiPortServesNoMetrics();
        // then a model from gs://: fake-gcs-server on this machine's end of the node's veth pair, which the pods
        // reach through the node, seeded with the same model folder
        Path buckets = ExplainScenario.ROOT.resolve("e2e/target/gcs-data");
        ExplainScenario.stageModel(buckets.resolve("models"));
        BatchJobScenario.seed(buckets);
        try (FakeGcsServer gcs = FakeGcsServer.start(
                LocalNode.CONTROL_PLANE_ADDRESS, buckets, node.work().resolve("fake-gcs-server.log"))) {
            new GcsModelScenario(client, LocalClusterEndToEndTest::viaClusterIp, token).run(gcs.endpoint());
            // then a batch job of that model: its inputs in the same server, its results written there
            String batchOut =
                    new BatchJobScenario(client, LocalClusterEndToEndTest::viaClusterIp, token).run(gcs.endpoint());
            // then attribution monitoring against that job's profiles, up to the model's status
            new MonitoringScenario(client, LocalClusterEndToEndTest::viaClusterIp, token).run(gcs.endpoint(), batchOut);
            // then Vertex's deployment verbs from Google's Python SDK, through the operator's management API
            if (VertexSdkScenario.present() || CI) {
                assertThat(VertexSdkScenario.present())
                        .as("the Vertex SDK's virtualenv (tools/ensure-vertex-sdk.sh)")
                        .isTrue();
                new VertexSdkScenario(client, LocalClusterEndToEndTest::viaClusterIp, token).run(gcs.endpoint());
            } else {
                System.out.println("the Vertex SDK virtualenv is missing (tools/ensure-vertex-sdk.sh): Vertex SDK"
                        + " scenario skipped");
            }
        }
        // the operator pod, with the chart's RBAC, never got a forbidden answer
        assertThat(cp.auditedCalls(HelmChart.OPERATOR_SA)).isNotEmpty().noneMatch(c -> c.code() == 403);
    }
}
