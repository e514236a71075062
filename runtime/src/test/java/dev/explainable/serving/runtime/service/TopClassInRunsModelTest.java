package dev.explainable.serving.runtime.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.model.ModelRunner;
import dev.explainable.serving.runtime.model.SharedRuns;
import dev.explainable.serving.runtime.result.Explanation;
import dev.explainable.serving.runtime.result.LabelAttribution;

/**
 * The top class chosen by the explanation's own first run (model.TopClassScores) against the class a forward run
 * ranks, on the committed models: the same label, scores and attributions as explaining that label by name (which
 * runs the model forward first, as every explanation did before), in one TensorFlow run fewer where the points fit
 * one run.
 */
class TopClassInRunsModelTest {

    static JsonNode instance(String model) throws Exception {
        JsonNode exp = TestModels.expected(model);
        return exp.has("instances")
                ? exp.get("instances").get(0)
                : TestModels.JSON.readTree(ReferenceParityTest.instance(model));
    }

    /**
     * @param runsSaved TensorFlow runs fewer than naming the label: 1 where the 51 points and the instance fit one
     *     run; 0 for MobileNetV2, whose points go in as two runs at once (a run of the instance alone chooses first)
     */
    @ParameterizedTest
    @CsvSource({"cnn_image, 1", "tabular_classifier, 1", "linear_regressor, 1", "mobilenet_v2, 0"})
    void theClassARunChoosesIsTheTopClassAndItsExplanationTheSame(String model, int runsSaved) throws Exception {
        LoadedModel loaded = TestModels.load(model, 50);
        ExplanationPipeline pipeline = loaded.pipeline();
        JsonNode x = instance(model);
        SharedRuns runs = pipeline.sharedRuns();

        long before = runs.runs();
        Explanation chosen = pipeline.explain(List.of(x), ExplainOptions.NONE).get(0);
        long chosenRuns = runs.runs() - before;
        LabelAttribution top = chosen.labels().get(0);

        ExplainOptions named =
                new ExplainOptions(null, null, null, null, 1, List.of(top.labelIndex()), null, null, null);
        before = runs.runs();
        LabelAttribution byName =
                pipeline.explain(List.of(x), named).get(0).labels().get(0);
        long namedRuns = runs.runs() - before;

        JsonNode exp = TestModels.expected(model);
        int want = exp.has("label_index")
                ? exp.get("label_index").asInt()
                : exp.has("explanations")
                        ? exp.get("explanations").get(0).get("label_index").asInt()
                        : 0;
        assertEquals(want, top.labelIndex(), "GradientTape's top class (a one-value output's only one)");
        assertEquals(byName.labelIndex(), top.labelIndex());
        assertEquals(byName.labelName(), top.labelName());
        assertEquals(byName.exampleScore(), top.exampleScore(), 1e-6);
        assertEquals(byName.baselineScore(), top.baselineScore(), 1e-6);
        assertEquals(byName.approxError(), top.approxError(), 1e-5);
        String input = top.attributions().keySet().iterator().next();
        double[] a = TestModels.flat(top.attributions().get(input));
        double[] b = TestModels.flat(byName.attributions().get(input));
        IntegratedGradientsModelTest.assertClose(b, a, 1e-5);
        assertEquals(namedRuns - runsSaved, chosenRuns, "TensorFlow runs: " + chosenRuns + " against " + namedRuns);
    }

    @Test
    void aModelWhoseExplainedTensorIsInsideTheGraphRunsForwardFirst() {
        // the decoded image's values come from the forward run: the class is ranked there, as before
        assertFalse(new ModelRunner(TestModels.load("jpeg_cnn", 50).model()).runsChooseTopClass());
        assertTrue(new ModelRunner(TestModels.load("cnn_image", 50).model()).runsChooseTopClass());
    }
}
