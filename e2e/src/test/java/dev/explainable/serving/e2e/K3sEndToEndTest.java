package dev.explainable.serving.e2e;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;

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
                        client, (service, path, body) -> viaServiceProxy(client, service, path, body));
                scenario.createNamespace();
                ExplainScenario.helmInstall(kubeconfig);
                scenario.createModelsClaim("/models");
                scenario.run();
            }
        }
    }

    /** {@code /api/v1/namespaces/demo/services/<service>:80/proxy/<path>}: one ready endpoint per request. */
    static ExplainScenario.Reply viaServiceProxy(KubernetesClient client, String service, String path, String body)
            throws Exception {
        URL url = new URL(
                client.getMasterUrl(),
                "/api/v1/namespaces/" + ExplainScenario.NS + "/services/" + service + ":80/proxy" + path);
        HttpRequest request = client.getHttpClient()
                .newHttpRequestBuilder()
                .uri(url.toString())
                .post("application/json", body)
                .build();
        HttpResponse<String> r =
                client.getHttpClient().sendAsync(request, String.class).get(60, TimeUnit.SECONDS);
        return new ExplainScenario.Reply(r.code(), r.body());
    }
}
