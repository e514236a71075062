package dev.explainable.serving.runtime.api;

import java.net.URL;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.metadata.MetadataLoader;

/**
 * The page on the tabular classifier (the default test model) in headless Chromium: a form of the model's
 * features, a sorted bar chart of signed attributions, the label name and scores without a warning, the raw JSON
 * and the equivalent commands. Writes the README's screenshot with {@code -Ddocs.images}.
 */
@QuarkusTest
class TabularModelPageTest {

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    @Test
    void formChartNumbersAndCommandsInHeadlessChromium() throws Exception {
        PageScript.assumeBrowser();
        JsonNode expected = TestModels.expected("tabular_classifier");
        List<String> labels = MetadataLoader.load(
                        TestModels.dir("tabular_classifier").resolve(MetadataLoader.FILE_NAME))
                .outputs()
                .get("probabilities")
                .indexNameMapping();
        String label = labels.get(
                expected.get("explanations").get(0).get("label_index").asInt());
        String expectations = "{\"kind\": \"tabular\", \"label\": \"" + label + "\", \"warning\": false, "
                + "\"values\": " + expected.get("instances").get(0) + ", \"shotUntil\": \"#curl\"}";
        PageScript.viewer(base, expectations, PageScript.screenshot("page-tabular.png"));
    }
}
