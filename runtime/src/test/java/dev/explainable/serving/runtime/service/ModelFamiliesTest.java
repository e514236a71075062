package dev.explainable.serving.runtime.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.result.LabelAttribution;
import dev.explainable.serving.runtime.result.NamedFeatures;

/**
 * Model families beyond Keras MLPs and CNNs, each a committed real SavedModel (tools/make-test-models.py) with
 * reference numbers from Python TensorFlow.
 */
class ModelFamiliesTest {

    /**
     * A Keras LSTM: its While loop and TensorList ops have no C++ gradient. Sampled Shapley builds no gradient ops
     * and converges to the exact Shapley values Python enumerated over all coalitions.
     */
    @Test
    void recurrentModelIsExplainedBySampledShapleyForwardOnly() throws Exception {
        JsonNode exp = TestModels.expected("recurrent_lstm");
        try (LoadedModel loaded = ModelLoader.load(
                TestModels.options("recurrent_lstm", "explain.method", "sampled-shapley", "explain.paths", "50"))) {
            assertTrue(!loaded.model().hasGradients(), "no gradient ops were built");
            LabelAttribution a = TestModels.explain(loaded, exp.get("instance").toString());
            assertEquals(exp.get("label_index").asInt(), a.labelIndex());
            assertEquals(List.of("negative", "positive").get(a.labelIndex()), a.labelName());
            assertEquals(exp.get("example_score").asDouble(), a.exampleScore(), 1e-5, "the model's own output");
            double[] sampled = TestModels.flat(a.attributions().get("sequence"));
            double[] exact = flatten(exp.get("shapley"));
            double delta = a.exampleScore() - a.baselineScore();
            assertEquals(delta, Arrays.stream(sampled).sum(), 1e-5, "credits telescope: completeness is exact");
            double error = SampledShapleyModelTest.distance(sampled, exact);
            double stderr = a.approxError() * Math.abs(delta);
            System.out.printf(
                    "recurrent_lstm: Sampled Shapley (50 paths) is %.2e from exact (standard error %.2e)%n",
                    error, stderr);
            assertTrue(error <= 4 * stderr + 1e-6, "L2 error " + error + " vs reported standard error " + stderr);
        }
    }

    /**
     * Integrated Gradients through Keras recurrent layers: their While loops are unrolled at load time (the trip
     * count is static), so every op on the path has a gradient. Equal to GradientTape's IG on dense instances (every
     * element moves away from the baseline, every step of the loop carries gradient).
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "recurrent_gru",
                "recurrent_simple_rnn",
                "recurrent_bidirectional",
                "recurrent_stacked",
            })
    void integratedGradientsThroughUnrolledRecurrentLayersMatchGradientTape(String model) throws Exception {
        LoadedModel loaded = TestModels.load(model, 50);
        assertTrue(loaded.model().hasGradients());
        for (JsonNode want : TestModels.expected(model).get("explanations")) {
            assertMatchesGradientTape(
                    loaded,
                    want.get("instance"),
                    want.get("label_index").asInt(),
                    want.get("ig_attributions"),
                    want.get("example_score").asDouble(),
                    want.get("baseline_score").asDouble());
        }
    }

    @Test
    void integratedGradientsThroughAnUnrolledLstmMatchGradientTape() throws Exception {
        JsonNode exp = TestModels.expected("recurrent_lstm");
        LoadedModel loaded = TestModels.load("recurrent_lstm", 50);
        assertMatchesGradientTape(
                loaded,
                exp.get("instance"),
                exp.get("label_index").asInt(),
                exp.get("ig_attributions"),
                exp.get("example_score").asDouble(),
                exp.get("baseline_score").asDouble());
        assertMatchesGradientTape(
                loaded,
                exp.get("dense_instance"),
                exp.get("dense_label_index").asInt(),
                exp.get("dense_ig_attributions"),
                exp.get("dense_example_score").asDouble(),
                exp.get("dense_baseline_score").asDouble());
    }

    private static void assertMatchesGradientTape(
            LoadedModel loaded, JsonNode instance, int label, JsonNode ig, double example, double baseline)
            throws Exception {
        LabelAttribution a = TestModels.explain(loaded, instance.toString());
        assertEquals(label, a.labelIndex());
        IntegratedGradientsModelTest.assertClose(
                flatten(ig), TestModels.flat(a.attributions().get("sequence")), 1e-4);
        assertEquals(example, a.exampleScore(), 1e-5);
        assertEquals(baseline, a.baselineScore(), 1e-5);
    }

    /**
     * A sequence of any length: the loop's trip count comes from the request, so the loop stays a While and the
     * gradient methods are refused with the reason and the method that needs no gradient; Sampled Shapley serves
     * it, on a sequence length the signature leaves open.
     */
    @Test
    void aLoopOfRequestDependentLengthIsRefusedForGradientsAndServedBySampledShapley() throws Exception {
        MetadataException e = assertThrows(
                MetadataException.class, () -> ModelLoader.load(TestModels.options("recurrent_variable_length")));
        assertTrue(e.getMessage().contains("No gradient defined for op"), e.getMessage());
        assertTrue(e.getMessage().contains("depends on the input"), e.getMessage());
        assertTrue(e.getMessage().contains("explain.method=sampled-shapley"), e.getMessage());

        JsonNode exp = TestModels.expected("recurrent_variable_length");
        try (LoadedModel loaded = ModelLoader.load(TestModels.options(
                "recurrent_variable_length", "explain.method", "sampled-shapley", "explain.paths", "50"))) {
            LabelAttribution a = TestModels.explain(loaded, exp.get("instance").toString());
            assertEquals(exp.get("label_index").asInt(), a.labelIndex());
            assertEquals(exp.get("example_score").asDouble(), a.exampleScore(), 1e-5);
            double[] sampled = TestModels.flat(a.attributions().get("sequence"));
            double[] exact = flatten(exp.get("shapley"));
            double error = SampledShapleyModelTest.distance(sampled, exact);
            double stderr = a.approxError() * Math.abs(a.exampleScore() - a.baselineScore());
            assertTrue(error <= 4 * stderr + 1e-6, "L2 error " + error + " vs reported standard error " + stderr);
        }
    }

    /**
     * An estimator-era TF1 graph (v1 SavedModelBuilder) that parses serialized tf.Example strings: explained
     * through the parsed float tensor, equal to GradientTape's IG.
     */
    @Test
    void tf1GraphParsingExamplesMatchesGradientTape() throws Exception {
        JsonNode exp = TestModels.expected("tf1_example_parser");
        LoadedModel loaded = TestModels.load("tf1_example_parser", 50);
        for (JsonNode want : exp.get("explanations")) {
            LabelAttribution a =
                    TestModels.explain(loaded, "{\"b64\": \"" + want.get("b64").asText() + "\"}");
            assertEquals(want.get("label_index").asInt(), a.labelIndex());
            assertEquals(List.of("setosa", "versicolor", "virginica").get(a.labelIndex()), a.labelName());
            NamedFeatures features = (NamedFeatures) a.attributions().get("measurements");
            assertEquals(
                    List.of("sepal_length", "sepal_width", "petal_length", "petal_width"),
                    List.copyOf(features.features().keySet()));
            IntegratedGradientsModelTest.assertClose(
                    flatten(want.get("attributions")), TestModels.flat(features), 1e-4);
            assertEquals(want.get("example_score").asDouble(), a.exampleScore(), 1e-5);
            assertEquals(want.get("baseline_score").asDouble(), a.baselineScore(), 1e-5);
        }
    }

    static double[] flatten(JsonNode n) {
        return IntegratedGradientsModelTest.flat(n);
    }

    /**
     * A token-id text model with concat_embedding: attributions are computed on the embedding output and each token
     * gets the sum over its embedding, equal to GradientTape's IG on the embedding.
     */
    @Test
    void concatEmbeddingAttributesEachTokenTheSumOverItsEmbedding() throws Exception {
        JsonNode exp = TestModels.expected("text_embedding");
        LoadedModel loaded = TestModels.load("text_embedding", 50);
        for (JsonNode want : exp.get("explanations")) {
            LabelAttribution a = TestModels.explain(loaded, "{\"tokens\": " + want.get("tokens") + "}");
            assertEquals(want.get("label_index").asInt(), a.labelIndex());
            double[] perToken = TestModels.flat(a.attributions().get("tokens"));
            assertEquals(6, perToken.length, "one attribution per token");
            IntegratedGradientsModelTest.assertClose(flatten(want.get("attributions")), perToken, 1e-4);
            assertEquals(want.get("example_score").asDouble(), a.exampleScore(), 1e-5);
            assertEquals(want.get("baseline_score").asDouble(), a.baselineScore(), 1e-5);
        }
    }

    /** Sampled Shapley on the same model: a token (its whole embedding) is one player. */
    @Test
    void concatEmbeddingTokensAreSampledShapleysPlayers() throws Exception {
        JsonNode want =
                TestModels.expected("text_embedding").get("explanations").get(1);
        try (LoadedModel loaded = ModelLoader.load(
                TestModels.options("text_embedding", "explain.method", "sampled-shapley", "explain.paths", "20"))) {
            LabelAttribution a = TestModels.explain(loaded, want.get("tokens").toString());
            double[] perToken = TestModels.flat(a.attributions().get("tokens"));
            assertEquals(6, perToken.length);
            assertEquals(
                    a.exampleScore() - a.baselineScore(),
                    Arrays.stream(perToken).sum(),
                    1e-5,
                    "completeness");
            // the IG reference on this near-linear model: the same signs and order of magnitude
            double[] ig = flatten(want.get("attributions"));
            double scale = Arrays.stream(ig).map(Math::abs).max().orElse(1);
            for (int i = 0; i < 6; i++) {
                assertEquals(ig[i], perToken[i], 0.25 * scale, "token " + i);
            }
        }
    }
}
