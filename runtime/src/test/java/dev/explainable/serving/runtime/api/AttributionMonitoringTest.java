package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
 * Feature attribution skew and drift on the linear regressor y = 2a − b + 0.5c + 3d + 1 (integrated gradients from
 * 0.5: feature i's attribution is w_i (x_i − 0.5), a closed form), every explanation sampled, windows of 500. The
 * baseline is the profile of 1,000 training-like instances (x_i uniform on [−1, 2]) explained by the same pipeline and
 * written where explain.monitoring.baseline-uri points, after the start (the monitor picks it up at a window's end).
 * 2,000 requests like the baseline keep every feature's skew under the threshold (0.1); then 500 with feature c
 * shifted by +3 raise c's drift above it, and 1,500 more c's skew, each time the other features' staying under: in
 * {@code GET /runtime/model/attributions}, in the threshold crossings it lists, and in the Prometheus gauges.
 * Expected: c's mean |attribution| goes from 0.5 · 0.75 to 0.5 · 3 against a total of 6.5 · 0.75, a change of 0.23.
 */
@QuarkusTest
@TestProfile(AttributionMonitoringTest.Monitored.class)
class AttributionMonitoringTest {

    static final Path BASELINE = Path.of("target/monitoring-test/baseline.json").toAbsolutePath();
    static final String LABEL = "duration[0]";
    static final String SHIFTED = "data[2]";
    static final ObjectMapper JSON = new ObjectMapper();

    public static class Monitored implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "explain.model.dir", "src/test/resources/models/linear_regressor",
                    "explain.model.name", "lin",
                    "explain.monitoring.sample-rate", "1",
                    "explain.monitoring.window-size", "500",
                    "explain.monitoring.baseline-uri", BASELINE.toString());
        }
    }

    @Inject
    ModelHost models;

    final Random random = new Random(11);

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    double[] instance(double shiftC) {
        double[] x = new double[4];
        for (int i = 0; i < 4; i++) {
            x[i] = -1 + 3 * random.nextDouble() + (i == 2 ? shiftC : 0);
        }
        return x;
    }

    /** {@code n} explanations through the AI Platform URL, 20 instances a request. */
    void serve(int n, double shiftC) throws Exception {
        for (int sent = 0; sent < n; sent += 20) {
            List<double[]> instances = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                instances.add(instance(shiftC));
            }
            given().contentType("application/json")
                    .body(JSON.writeValueAsString(Map.of("instances", instances)))
                    .post("/v1/projects/p/models/lin:explain")
                    .then()
                    .statusCode(200);
        }
    }

    JsonNode report() throws Exception {
        return JSON.readTree(given().get("/runtime/model/attributions")
                .then()
                .statusCode(200)
                .extract()
                .asString());
    }

    /** The gauges' values by feature, as Prometheus scrapes them. */
    Map<String, Double> gauges(String kind) {
        String text = given().get(Management.url("/q/metrics"))
                .then()
                .statusCode(200)
                .extract()
                .asString();
        Map<String, Double> out = new java.util.HashMap<>();
        Matcher m = Pattern.compile("explainable_attribution_" + kind + "\\{([^}]*)\\} (\\S+)")
                .matcher(text);
        while (m.find()) {
            Matcher f = Pattern.compile("feature=\"([^\"]*)\"").matcher(m.group(1));
            if (f.find() && m.group(1).contains("model=\"lin\"")) {
                out.put(f.group(1), Double.parseDouble(m.group(2)));
            }
        }
        return out;
    }

    @Test
    void aShiftedFeatureRaisesItsSkewAndDriftAndNoOtherFeatures() throws Exception {
        // the baseline: training-like data through the same pipeline (as a batch job's profile is made)
        ProfileAccumulator acc = new ProfileAccumulator();
        for (int call = 0; call < 50; call++) {
            List<JsonNode> training = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                training.add(JSON.valueToTree(instance(0)));
            }
            for (Explanation e : models.ready().pipeline().explain(training, ExplainOptions.NONE)) {
                acc.add(e);
            }
        }
        Files.createDirectories(BASELINE.getParent());
        Files.writeString(BASELINE, JSON.writeValueAsString(acc.profile()));

        serve(2000, 0);
        JsonNode like = report();
        assertEquals(4, like.at("/lastWindow/index").asLong(), like.toString());
        assertTrue(like.get("baselineRead").asBoolean(), like.toString());
        JsonNode skew = like.at("/lastWindow/skew/" + pointer(LABEL) + "/shareChange");
        assertEquals(4, skew.size(), like.toString());
        skew.fields().forEachRemaining(f -> assertTrue(f.getValue().asDouble() < 0.1, "skew " + f));
        assertTrue(like.get("crossed").isEmpty(), like.toString());
        Map<String, Double> skewGauges = gauges("skew");
        assertEquals(5, skewGauges.size(), skewGauges.toString()); // four features and the overall ""
        skewGauges.forEach((f, v) -> assertTrue(v < 0.1, "skew gauge " + f + " " + v));

        serve(500, 3);
        JsonNode drifted = report();
        JsonNode drift = drifted.at("/lastWindow/drift/" + pointer(LABEL) + "/shareChange");
        assertTrue(drift.get(SHIFTED).asDouble() > 0.15, drifted.toString());
        drift.fields()
                .forEachRemaining(f ->
                        assertTrue(f.getKey().equals(SHIFTED) || f.getValue().asDouble() < 0.1, "drift " + f));
        assertTrue(crossed(drifted, "drift").contains(SHIFTED), drifted.toString());
        assertTrue(gauges("drift").get(SHIFTED) > 0.1);

        serve(1500, 3);
        JsonNode skewed = report();
        JsonNode after = skewed.at("/lastWindow/skew/" + pointer(LABEL) + "/shareChange");
        // (0.5 * 3 - 0.5 * 0.75) / (6.5 * 0.75): 0.23, give or take the samples' spread
        assertEquals(0.23, after.get(SHIFTED).asDouble(), 0.04, skewed.toString());
        after.fields()
                .forEachRemaining(f ->
                        assertTrue(f.getKey().equals(SHIFTED) || f.getValue().asDouble() < 0.1, "skew " + f));
        assertTrue(crossed(skewed, "skew").contains(SHIFTED), skewed.toString());
        assertTrue(crossed(skewed, "drift").isEmpty(), "shifted against shifted: no drift " + skewed);
        Map<String, Double> shifted = gauges("skew");
        assertTrue(shifted.get(SHIFTED) > 0.1, shifted.toString());
        shifted.forEach((f, v) -> assertTrue(f.equals(SHIFTED) || f.isEmpty() || v < 0.1, "skew gauge " + f + " " + v));

        // what the operator reads into the model's status: the management port's summary, no token, no profile
        JsonNode alerts = JSON.readTree(given().get(Management.url("/q/attribution-alerts"))
                .then()
                .statusCode(200)
                .extract()
                .asString());
        assertEquals(8, alerts.get("window").asLong(), alerts.toString());
        assertTrue(alerts.get("baselineRead").asBoolean(), alerts.toString());
        assertEquals(crossed(skewed, "skew"), crossed(alerts, "skew"), alerts.toString());
        assertTrue(crossed(alerts, "drift").isEmpty(), alerts.toString());
        assertTrue(alerts.path("lastWindow").isMissingNode(), "no profile on the management port: " + alerts);
    }

    static List<String> crossed(JsonNode report, String kind) {
        List<String> out = new ArrayList<>();
        for (JsonNode c : report.get("crossed")) {
            if (c.get("kind").asText().equals(kind)) {
                out.add(c.get("feature").asText());
            }
        }
        return out;
    }

    static String pointer(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
