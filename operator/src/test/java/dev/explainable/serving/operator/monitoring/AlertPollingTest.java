package dev.explainable.serving.operator.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.MonitoringSpec;
import dev.explainable.serving.operator.dependent.Labels;

/** The poll over real HTTP: which pods are asked, what is read, and what a pod's bad answer costs. */
class AlertPollingTest {

    HttpServer server;
    final AtomicReference<String> answer = new AtomicReference<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(RuntimeAlerts.PATH, x -> {
            byte[] body = answer.get().getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, body.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    static Pod pod(String name, String version, String ip, boolean ready) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(Labels.forVersion("m", version))
                .endMetadata()
                .withNewStatus()
                .withPodIP(ip)
                .addNewCondition()
                .withType("Ready")
                .withStatus(ready ? "True" : "False")
                .endCondition()
                .endStatus()
                .build();
    }

    ExplainableModel model() {
        ExplainableModel m = Models.model("m", "v1", Models.version("v1", 0), Models.version("v2", 0));
        m.getSpec().getVersions().get(0).setMonitoring(new MonitoringSpec());
        return m;
    }

    @Test
    void readsTheReadyPodsOfMonitoredVersionsOnly() {
        answer.set("{\"enabled\":true,\"window\":3,\"baselineRead\":false,\"crossed\":[{\"feature\":\"age\","
                + "\"kind\":\"drift\",\"score\":0.4,\"threshold\":0.1,\"window\":3,\"time\":\"x\"}],\"extra\":1}");
        AlertPolling polling = new AlertPolling(
                m -> Set.of(
                        pod("a", "v1", "127.0.0.1", true),
                        pod("b", "v1", "127.0.0.1", false),
                        pod("c", "v2", "127.0.0.1", true)),
                server.getAddress().getPort());
        Set<VersionAlerts> read = polling.fetch(model());
        assertThat(read).hasSize(1);
        VersionAlerts v1 = read.iterator().next();
        assertThat(v1.version()).isEqualTo("v1");
        assertThat(v1.window()).isEqualTo(3);
        assertThat(v1.asked()).isEqualTo(1);
        assertThat(v1.unanswered()).isEmpty();
        assertThat(v1.crossed()).containsExactly(new RuntimeAlerts.Crossing("age", "drift", 0.4, 0.1));
    }

    @Test
    void aPodThatAnswersTooMuchOrNothingIsListedNotRead() {
        answer.set("{\"window\":1,\"crossed\":[" + "{\"feature\":\"f\",\"kind\":\"drift\",\"score\":1},".repeat(10_000)
                + "{}]}");
        AlertPolling polling = new AlertPolling(
                m -> Set.of(
                        pod("big", "v1", "127.0.0.1", true),
                        // nothing listens there: refused at once
                        pod("gone", "v1", "127.0.0.2", true)),
                server.getAddress().getPort());
        VersionAlerts v1 = polling.fetch(model()).iterator().next();
        assertThat(v1.asked()).isEqualTo(2);
        assertThat(v1.unanswered()).containsExactlyInAnyOrder("big", "gone");
        assertThat(v1.crossed()).isEmpty();
        assertThat(List.of(v1.window())).containsExactly(0L);
    }
}
