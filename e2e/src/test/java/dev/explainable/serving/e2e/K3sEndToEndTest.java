package dev.explainable.serving.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.controlplane.ControlPlane;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;

/**
 * The same scenario on a real cluster, for machines with Docker: K3s in Testcontainers, the locally built image
 * tarballs ({@code ./mvnw -Pimages package}) loaded at boot, {@code helm install} of the chart, an
 * ExplainableModel with two versions, both {@code :explain} paths and {@code :predict} through the Services, a
 * default switch and a metadata rollout. Skipped with one line where no Docker engine runs (the CI machine, where
 * {@link SimulatedClusterEndToEndTest} covers the path). Not executed in this project's CI for that reason.
 */
class K3sEndToEndTest {

    static final Path ROOT = ControlPlane.repoRoot();
    static final String TAG = "0.1.0-SNAPSHOT";

    @Test
    void helmInstallApplyAndExplainOnK3s() throws Exception {
        Assumptions.assumeTrue(DockerClientFactory.instance().isDockerAvailable(),
                "no Docker engine: K3s end-to-end test skipped (SimulatedClusterEndToEndTest covers this machine)");
        Path runtimeTar = ROOT.resolve("runtime/target/jib-image.tar");
        Path operatorTar = ROOT.resolve("operator/target/jib-image.tar");
        Assumptions.assumeTrue(Files.exists(runtimeTar) && Files.exists(operatorTar),
                "image tarballs missing: build them with ./mvnw -Pimages package -DskipTests first");
        try (K3sContainer k3s = new K3sContainer(DockerImageName.parse("rancher/k3s:v1.31.4-k3s1"))
                .withCopyFileToContainer(MountableFile.forHostPath(runtimeTar),
                        "/var/lib/rancher/k3s/agent/images/runtime.tar")
                .withCopyFileToContainer(MountableFile.forHostPath(operatorTar),
                        "/var/lib/rancher/k3s/agent/images/operator.tar")
                .withCopyFileToContainer(MountableFile.forHostPath(
                        ROOT.resolve("runtime/src/test/resources/models/tabular_classifier"), 0755), "/models/iris")) {
            k3s.start();
            Path kubeconfig = Files.createTempFile("k3s", ".yaml");
            Files.writeString(kubeconfig, k3s.getKubeConfigYaml());
            helm(kubeconfig, "install", "es", ROOT.resolve("helm/explainable-serving").toString(), "--namespace",
                    "es-system", "--create-namespace", "--wait", "--timeout", "5m",
                    "--set", "image.repository=explainable-serving/operator", "--set", "image.tag=" + TAG,
                    "--set", "image.pullPolicy=Never", "--set", "runtime.image=explainable-serving/runtime:" + TAG,
                    "--set", "runtime.imagePullPolicy=Never");
            try (KubernetesClient client = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(k3s.getKubeConfigYaml())).build()) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("demo").endMetadata()
                        .build()).create();
                VersionSpec v1 = Models.version("v1", 0);
                v1.setModelUri("file:///models/iris");
                VersionSpec v2 = Models.version("v2", 0);
                v2.setModelUri("file:///models/iris");
                ExplainableModel m = Models.model("iris", "v1", v1, v2);
                m.getMetadata().setNamespace("demo");
                m.getMetadata().setUid(null);
                m.getMetadata().setGeneration(null);
                client.resource(m).create();
                await().atMost(Duration.ofMinutes(8)).ignoreExceptions().untilAsserted(() -> assertThat(
                        client.resources(ExplainableModel.class).inNamespace("demo").withName("iris").get().getStatus()
                                .getVersionsReady()).isEqualTo("2/2"));
                String body = "{\"instances\": [[0.3, -1.2, 2.0, 0.7, -0.4]]}";
                assertThat(call(client, "iris", "/v1/projects/demo/models/iris:explain", body)).contains("attributions_by_label");
                assertThat(call(client, "iris-v2", "/v1/projects/demo/models/iris/versions/v2:explain", body))
                        .contains("attributions_by_label");
                assertThat(call(client, "iris", "/v1/projects/demo/models/iris:predict", body)).contains("predictions");
                client.resources(ExplainableModel.class).inNamespace("demo").withName("iris").edit(x -> {
                    x.getSpec().setDefaultVersion("v2");
                    Models.withMetadata(x.getSpec().getVersions().get(0), """
                            {"inputs": {"features": {"input_tensor_name": "serving_default_features:0", "input_baselines": [0.5]}},
                             "outputs": {"probabilities": {"output_tensor_name": "StatefulPartitionedCall_1:0"}},
                             "framework": "tensorflow"}""");
                    return x;
                });
                await().atMost(Duration.ofMinutes(5)).ignoreExceptions().untilAsserted(() -> {
                    assertThat(client.services().inNamespace("demo").withName("iris").get().getSpec().getSelector())
                            .containsEntry("serving.explainable.dev/version", "v2");
                    assertThat(client.apps().replicaSets().inNamespace("demo")
                            .withLabel("serving.explainable.dev/version", "v1").list().getItems()).hasSize(2);
                    assertThat(client.resources(ExplainableModel.class).inNamespace("demo").withName("iris").get()
                            .getStatus().getVersionsReady()).isEqualTo("2/2");
                });
                assertThat(call(client, "iris-v1", "/v1/projects/demo/models/iris/versions/v1:explain", body))
                        .contains("attributions_by_label");
            }
        }
    }

    /** Through the Service, port-forwarded (the test runs outside the cluster). */
    static String call(KubernetesClient client, String service, String path, String body) throws Exception {
        try (LocalPortForward pf = client.services().inNamespace("demo").withName(service).portForward(80)) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + pf.getLocalPort() + path)).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return r.body();
        }
    }

    static void helm(Path kubeconfig, String... args) throws Exception {
        Process build = new ProcessBuilder("bash", ROOT.resolve("tools/k8s/build-control-plane.sh").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String dir = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        build.waitFor(60, TimeUnit.MINUTES);
        List<String> cmd = new ArrayList<>(List.of(Path.of(dir.substring(dir.lastIndexOf('\n') + 1), "helm").toString(),
                "--kubeconfig", kubeconfig.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }
}
