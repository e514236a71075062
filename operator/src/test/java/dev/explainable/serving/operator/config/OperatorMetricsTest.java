package dev.explainable.serving.operator.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.controller.ResourceAction;
import io.javaoperatorsdk.operator.processing.event.source.controller.ResourceEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.api.ExplainableModel;

/** The JOSDK metrics the application uses (the bean, as Quarkus wires it) do not grow with the number of models. */
@QuarkusTest
class OperatorMetricsTest {

    @Inject
    Metrics metrics;

    @Inject
    MeterRegistry registry;

    @io.quarkus.test.common.http.TestHTTPResource("/q/metrics")
    java.net.URL metricsUrl;

    void reconcile(int models) {
        Map<String, Object> meta = Map.of(
                Constants.RESOURCE_GVK_KEY,
                GroupVersionKind.gvkFor(ExplainableModel.class),
                Constants.CONTROLLER_NAME,
                "explainablemodel");
        for (int i = 0; i < models; i++) {
            ExplainableModel m = Models.model("m" + i, "v1", Models.version("v1", 0));
            m.getMetadata().setNamespace("ns-" + i);
            metrics.receivedEvent(new ResourceEvent(ResourceAction.ADDED, ResourceID.fromResource(m), m), meta);
            metrics.finishedReconciliation(m, meta);
            metrics.cleanupDoneFor(ResourceID.fromResource(m), meta);
        }
    }

    @Test
    void meterCountDoesNotGrowWithModelsAndNoMeterNamesAResource() {
        reconcile(1);
        // the operator's own meters: the JVM's and Vert.x's may still be registering while the test runs (a CI run
        // saw one appear between the two counts), and they do not depend on models
        long afterOne = operatorMeters();
        reconcile(200);
        assertThat(operatorMeters()).isEqualTo(afterOne);
        var josdk = registry.getMeters().stream()
                .filter(m -> m.getId().getName().startsWith("operator.sdk."))
                .toList();
        assertThat(josdk)
                .isNotEmpty()
                .noneMatch(m -> m.getId().getTag("name") != null || m.getId().getTag("namespace") != null);
    }

    long operatorMeters() {
        return registry.getMeters().stream()
                .filter(m -> m.getId().getName().startsWith("operator.")
                        || m.getId().getName().startsWith("explainable"))
                .count();
    }

    /**
     * The chart's dashboard and alert rules name only operator metrics ({@code operator_sdk_*}) that the operator's
     * {@code /q/metrics} serves once it reconciled, received an event and failed a reconciliation (the runtime's are
     * checked against a runtime's scrape by the runtime's DashboardMetricsTest).
     */
    @Test
    void everyOperatorMetricTheChartsDashboardAndRulesNameIsScraped() throws Exception {
        reconcile(1);
        ExplainableModel m = Models.model("failing", "v1", Models.version("v1", 0));
        m.getMetadata().setNamespace("ns-f");
        metrics.failedReconciliation(
                m,
                new IllegalStateException("a test failure"),
                Map.of(
                        Constants.RESOURCE_GVK_KEY,
                        GroupVersionKind.gvkFor(ExplainableModel.class),
                        Constants.CONTROLLER_NAME,
                        "explainablemodel"));
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(metricsUrl.toURI()).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        String scrape = r.body();
        java.util.Set<String> scraped = new java.util.TreeSet<>();
        for (java.util.regex.Matcher x =
                        java.util.regex.Pattern.compile("(?m)^([a-z_]+)[{ ]").matcher(scrape);
                x.find(); ) {
            scraped.add(x.group(1));
        }
        java.nio.file.Path chart = java.nio.file.Path.of("../helm/explainable-serving");
        String text = java.nio.file.Files.readString(chart.resolve("dashboards/explainable-serving.json"))
                + java.nio.file.Files.readString(chart.resolve("templates/prometheusrule.yaml"));
        java.util.Set<String> used = new java.util.TreeSet<>();
        for (java.util.regex.Matcher x = java.util.regex.Pattern.compile("\\b(operator_sdk_[a-z_]+)\\b")
                        .matcher(text);
                x.find(); ) {
            used.add(x.group(1));
        }
        assertThat(used).isNotEmpty();
        assertThat(scraped).as("the operator's scrape").containsAll(used);
    }
}
