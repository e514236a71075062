package dev.explainable.serving.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;

/**
 * {@link ExplainScenario} on K3s in Testcontainers, for machines with Docker: the locally built image tarballs
 * ({@code ./mvnw -Pimages verify}) are loaded by K3s at boot, and requests reach the Services through the API
 * server's service proxy (the test runs outside the cluster's network). Skipped with one line where no Docker
 * engine runs, as on this project's CI machine, where {@link LocalClusterEndToEndTest} runs the scenario on a
 * real single-node cluster instead. Not executed in this project's CI for that reason.
 */
class K3sEndToEndTest {

    @Test
    void helmInstallApplyExampleAndExplainOnK3s() throws Exception {
        Assumptions.assumeTrue(
                DockerClientFactory.instance().isDockerAvailable(),
                "no Docker engine: K3s end-to-end test skipped (LocalClusterEndToEndTest covers this machine)");
        Path runtimeTar = ExplainScenario.ROOT.resolve("runtime/target/jib-image.tar");
        Path operatorTar = ExplainScenario.ROOT.resolve("operator/target/jib-image.tar");
        Assumptions.assumeTrue(
                Files.exists(runtimeTar) && Files.exists(operatorTar),
                "image tarballs missing: build them with ./mvnw -Pimages verify -DskipTests first");
        Path models = ExplainScenario.stageModel(ExplainScenario.ROOT.resolve("e2e/target/models"));
        try (K3sContainer k3s = new K3sContainer(DockerImageName.parse("rancher/k3s:v1.31.4-k3s1"))
                .withCopyFileToContainer(
                        MountableFile.forHostPath(runtimeTar), "/var/lib/rancher/k3s/agent/images/runtime.tar")
                .withCopyFileToContainer(
                        MountableFile.forHostPath(operatorTar), "/var/lib/rancher/k3s/agent/images/operator.tar")
                .withCopyFileToContainer(MountableFile.forHostPath(models, 0755), "/models")) {
            k3s.start();
            Path kubeconfig = Files.createTempFile("k3s", ".yaml");
            Files.writeString(kubeconfig, k3s.getKubeConfigYaml());
            try (KubernetesClient client = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(k3s.getKubeConfigYaml()))
                    .build()) {
                ExplainScenario scenario = new ExplainScenario(
                        client, (service, path, body, token) -> viaServiceProxy(client, service, path, body, token));
                scenario.createNamespace();
                ExplainScenario.helmInstall(kubeconfig);
                scenario.grantCaller();
                scenario.createModelsClaim("/models");
                scenario.run();
            }
        }
    }

    static final Map<String, LocalPortForward> FORWARDS = new ConcurrentHashMap<>();

    /**
     * Through a port-forward to one of the Service's pods (kept per Service): the API server's service proxy would
     * take the Authorization header for itself, and the caller's token must reach the runtime.
     */
    static ExplainScenario.Reply viaServiceProxy(
            KubernetesClient client, String service, String path, String body, String token) throws Exception {
        LocalPortForward forward = FORWARDS.computeIfAbsent(
                service,
                s -> client.services()
                        .inNamespace(ExplainScenario.NS)
                        .withName(s)
                        .portForward(80));
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + forward.getLocalPort() + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new ExplainScenario.Reply(r.statusCode(), r.body());
    }
}
