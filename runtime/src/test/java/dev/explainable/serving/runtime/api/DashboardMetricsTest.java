package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.explainable.serving.runtime.monitoring.ProfileAccumulator;
import dev.explainable.serving.runtime.result.Explanation;
import dev.explainable.serving.runtime.service.ExplainOptions;
import dev.explainable.serving.runtime.service.ModelHost;
import dev.explainable.serving.runtime.testing.Management;

/**
 * The chart's Grafana dashboard and alert rules against a real scrape of a runtime: the dashboard is Grafana dashboard
 * JSON (a uid, a title, a schema version, panels each with Prometheus targets), and every runtime metric its queries
 * and the PrometheusRule's expressions name ({@code explainable_*}) is in the runtime's {@code /q/metrics} after it
 * served explanations, predictions and a forward, with attribution monitoring on and a baseline. The operator's
 * ({@code operator_sdk_*}) are checked against the operator's scrape by its own test.
 */
@QuarkusTest
@TestProfile(DashboardMetricsTest.Monitored.class)
class DashboardMetricsTest {

    static final Path CHART = Path.of("../helm/explainable-serving");
    static final Path BASELINE = Path.of("target/dashboard-test/baseline.json").toAbsolutePath();
    static final Pattern METRIC = Pattern.compile("\\b(explainable_[a-z_]+|operator_sdk_[a-z_]+)\\b");
    static final ObjectMapper JSON = new ObjectMapper();
    static final String X = "[0.3, -1.2, 2.0, 0.7, -0.4]";

    public static class Monitored implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "explain.monitoring.sample-rate", "1",
                    "explain.monitoring.window-size", "10",
                    "explain.monitoring.baseline-uri", BASELINE.toString(),
                    // forwarding on, its versions file absent: a forward is counted (unavailable), nothing is sent
                    "explain.routing.version-url", "http://127.0.0.1:1/{version}",
                    "explain.routing.versions-file",
                            BASELINE.resolveSibling("versions").toString());
        }
    }

    @Inject
    ModelHost models;

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    /** The metric names the dashboard's queries and the rules' expressions use. */
    static Set<String> usedMetrics() throws Exception {
        Set<String> names = new TreeSet<>();
        for (JsonNode panel : JSON.readTree(
                        CHART.resolve("dashboards/explainable-serving.json").toFile())
                .get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                names.addAll(metrics(target.get("expr").asText()));
            }
        }
        for (String line : Files.readAllLines(CHART.resolve("templates/prometheusrule.yaml"))) {
            if (!line.contains("summary:") && !line.contains("description:")) {
                names.addAll(metrics(line));
            }
        }
        return names;
    }

    static List<String> metrics(String expr) {
        List<String> out = new ArrayList<>();
        for (Matcher m = METRIC.matcher(expr); m.find(); ) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void theDashboardIsGrafanasAndEveryRuntimeMetricItNamesIsScraped() throws Exception {
        JsonNode d = JSON.readTree(
                CHART.resolve("dashboards/explainable-serving.json").toFile());
        assertEquals("explainable-serving", d.get("uid").asText());
        assertTrue(d.get("title").isTextual() && d.get("schemaVersion").asInt() >= 36, d.toString());
        Set<Integer> ids = new TreeSet<>();
        for (JsonNode panel : d.get("panels")) {
            assertTrue(ids.add(panel.get("id").asInt()), "panel ids are unique");
            assertTrue(panel.get("gridPos").has("w") && panel.get("gridPos").has("h"), panel.toString());
            assertEquals("prometheus", panel.at("/datasource/type").asText());
            assertTrue(panel.get("targets").size() > 0, panel.toString());
            panel.get("targets").forEach(t -> assertTrue(t.get("expr").asText().length() > 0));
        }

        // traffic of every kind the metrics count: explanations (monitored, with a baseline), predictions, a forward
        ProfileAccumulator baseline = new ProfileAccumulator();
        for (Explanation e :
                models.ready().pipeline().explain(List.of(JSON.readTree(X), JSON.readTree(X)), ExplainOptions.NONE)) {
            baseline.add(e);
        }
        Files.createDirectories(BASELINE.getParent());
        Files.writeString(BASELINE, JSON.writeValueAsString(baseline.profile()));
        for (int i = 0; i < 40; i++) {
            given().contentType("application/json")
                    .body("{\"instances\": [" + X + "]}")
                    .post("/v1/projects/p/models/iris:explain")
                    .then()
                    .statusCode(200);
        }
        given().contentType("application/json")
                .body("{\"instances\": [" + X + "]}")
                .post("/v1/projects/p/models/iris:predict")
                .then()
                .statusCode(200);
        given().contentType("application/json")
                .body("{\"instances\": [" + X + "], \"deployedModelId\": \"v9\"}")
                .post("/v1/projects/p/locations/us-central1/endpoints/iris:explain");

        String scrape = given().get(Management.url("/q/metrics"))
                .then()
                .statusCode(200)
                .extract()
                .asString();
        Set<String> scraped = new TreeSet<>();
        for (Matcher m = Pattern.compile("(?m)^([a-z_]+)[{ ]").matcher(scrape); m.find(); ) {
            scraped.add(m.group(1));
        }
        Set<String> used = usedMetrics();
        List<String> missing = used.stream()
                .filter(n -> n.startsWith("explainable_"))
                .filter(n -> !scraped.contains(n))
                .toList();
        assertTrue(used.stream().anyMatch(n -> n.startsWith("explainable_attribution_skew")), used.toString());
        assertEquals(List.of(), missing, "named by the dashboard or the rules, not scraped; scraped: " + scraped);
    }
}
