package dev.explainable.serving.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.controlplane.ControlPlane;
import dev.explainable.serving.operator.reconciler.ExplainableModelReconciler;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;

/**
 * The whole path where no Docker engine exists: a real control plane, the operator, and {@link PodPlayer} running
 * each runtime pod as a runtime process with its pod's environment and files. Requests go to the endpoints the
 * real EndpointSlice controller lists for the Services, as kube-proxy would route them.
 */
class SimulatedClusterEndToEndTest {

    static final Path ROOT = ControlPlane.repoRoot();
    static final Path RUNTIME = ROOT.resolve("runtime/target/quarkus-app/quarkus-run.jar");
    static final String NS = "demo";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static ControlPlane cp;
    static KubernetesClient client;
    static Operator operator;
    static PodPlayer player;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Files.exists(RUNTIME), "runtime/target/quarkus-app is not built: run ./mvnw verify from "
                + "the top, which packages the runtime before this module");
        Assumptions.assumeTrue(PodPlayer.prepareSubnet(), "cannot make " + PodPlayer.SUBNET + "0/24 a local range "
                + "(needs root and iproute2): simulated-cluster end-to-end test skipped");
        cp = ControlPlane.start();
        client = cp.client();
        cp.installCrd();
        player = new PodPlayer(client, RUNTIME, cp.work().resolve("pods"));
        player.start();
        operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
        operator.register(new ExplainableModelReconciler(client, new TestConfig(false)));
        operator.start();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.stop();
        }
        if (player != null) {
            player.close();
        }
        if (cp != null) {
            cp.close();
        }
    }

    static VersionSpec version(String name) {
        VersionSpec v = Models.version(name, 0);
        v.setModelUri("file://" + ROOT.resolve("runtime/src/test/resources/models/tabular_classifier"));
        return v;
    }

    /** A ready endpoint of the Service, as kube-proxy would pick one. */
    static String endpoint(String service) {
        List<String> ready = new ArrayList<>();
        for (EndpointSlice s : client.discovery().v1().endpointSlices().inNamespace(NS)
                .withLabel("kubernetes.io/service-name", service).list().getItems()) {
            for (Endpoint e : s.getEndpoints() == null ? List.<Endpoint>of() : s.getEndpoints()) {
                if (e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getReady())) {
                    ready.addAll(e.getAddresses());
                }
            }
        }
        if (ready.isEmpty()) {
            throw new IllegalStateException("no ready endpoint behind service " + service);
        }
        return ready.get((int) (System.nanoTime() % ready.size())) + ":8080";
    }

    static HttpResponse<String> post(String service, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + endpoint(service) + path))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static final String INSTANCES = "{\"instances\": [[0.3, -1.2, 2.0, 0.7, -0.4]]}";

    @Test
    void versionedEndpointsDefaultSwitchAndMetadataRolloutWithoutFailedRequests() throws Exception {
        ExplainableModel m = Models.model("iris", "v1", version("v1"), version("v2"));
        m.getMetadata().setNamespace(NS);
        m.getMetadata().setUid(null);
        m.getMetadata().setGeneration(null);
        client.resource(m).create();
        await().atMost(Duration.ofMinutes(3)).ignoreExceptions().untilAsserted(() -> assertThat(client.resources(ExplainableModel.class)
                .inNamespace(NS).withName("iris").get().getStatus().getVersionsReady()).isEqualTo("2/2"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> post("iris", "/v1/projects/demo/models/iris:explain", INSTANCES).statusCode() == 200);

        // model -> default version; model/version -> that version; predict
        HttpResponse<String> viaModel = post("iris", "/v1/projects/demo/models/iris:explain", INSTANCES);
        assertThat(viaModel.statusCode()).isEqualTo(200);
        assertThat(viaModel.body()).contains("attributions_by_label");
        HttpResponse<String> v2 = post("iris-v2", "/v1/projects/demo/models/iris/versions/v2:explain", INSTANCES);
        assertThat(v2.statusCode()).isEqualTo(200);
        assertThat(post("iris-v1", "/v1/projects/demo/models/iris/versions/v2:explain", INSTANCES).statusCode())
                .as("a version's pods answer only for their version").isEqualTo(404);
        assertThat(post("iris", "/v1/projects/demo/models/iris:predict", INSTANCES).body()).contains("predictions");

        // load while switching the default and rolling v1's metadata
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread load = new Thread(() -> {
            while (running.get()) {
                try {
                    HttpResponse<String> r = post("iris-v1", "/v1/projects/demo/models/iris/versions/v1:explain", INSTANCES);
                    if (r.statusCode() == 200) {
                        ok.incrementAndGet();
                    } else {
                        failures.add(r.statusCode() + " " + r.body());
                    }
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        });
        load.start();
        client.resources(ExplainableModel.class).inNamespace(NS).withName("iris").edit(x -> {
            x.getSpec().setDefaultVersion("v2");
            return x;
        });
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> assertThat(
                client.services().inNamespace(NS).withName("iris").get().getSpec().getSelector())
                .containsEntry("serving.explainable.dev/version", "v2"));
        String before = client.apps().replicaSets().inNamespace(NS).withLabel("serving.explainable.dev/version", "v1")
                .list().getItems().toString();
        client.resources(ExplainableModel.class).inNamespace(NS).withName("iris").edit(x -> {
            Models.withMetadata(x.getSpec().getVersions().get(0), """
                    {"inputs": {"features": {"input_tensor_name": "serving_default_features:0", "input_baselines": [0.5]}},
                     "outputs": {"probabilities": {"output_tensor_name": "StatefulPartitionedCall_1:0"}},
                     "framework": "tensorflow"}""");
            return x;
        });
        await().atMost(Duration.ofMinutes(3)).untilAsserted(() -> {
            var sets = client.apps().replicaSets().inNamespace(NS).withLabel("serving.explainable.dev/version", "v1")
                    .list().getItems();
            assertThat(sets).hasSize(2);
            assertThat(sets).anyMatch(rs -> rs.getStatus().getReadyReplicas() != null
                    && rs.getStatus().getReadyReplicas() == 1 && !before.contains(rs.getMetadata().getName()));
            assertThat(client.pods().inNamespace(NS).withLabel("serving.explainable.dev/version", "v1").list()
                    .getItems()).hasSize(1);
        });
        Thread.sleep(3000);
        running.set(false);
        load.join();
        System.out.printf("load during default switch and v1 rollout: %d requests ok, %d failed%n", ok.get(),
                failures.size());
        assertThat(failures).as("failed requests while rolling").isEmpty();
        assertThat(ok.get()).isGreaterThan(10);
        // the new v1 pod serves the new metadata: baseline 0.5 instead of 0
        assertThat(post("iris-v1", "/v1/projects/demo/models/iris/versions/v1:explain", INSTANCES).body())
                .isNotEqualTo(viaModel.body());
    }
}
