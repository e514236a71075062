package dev.explainable.serving.runtime.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.testing.TestOptions;

/** The description a client builds requests from, computed at load, on the committed models. */
class ModelDescriptionTest {

    /** The Keras Embedding's output dimension in text_embedding (tools/make-test-models.py: 20 ids, 4 wide). */
    private static final long EMBEDDING_WIDTH = 4;

    @TempDir
    Path tmp;

    @Test
    void tabularClassifier() {
        ModelDescription d = TestModels.load("tabular_classifier", 50).description();
        assertEquals("integrated-gradients", d.method().name());
        assertEquals(
                Map.of("integral_steps", 50, "integration_rule", "trapezoid"),
                d.method().parameters());
        ModelDescription.RequestInput ri = d.requestInputs().get(0);
        assertEquals("features", ri.name());
        assertEquals("float32", ri.dtype());
        assertArrayEquals(new long[] {5}, ri.shape());
        assertEquals("features", ri.explainedInput());
        assertEquals(List.of(0.0, 0.0, 0.0, 0.0, 0.0), ri.sample(), "the scalar baseline, broadcast");
        ModelDescription.Input in = d.inputs().get(0);
        assertEquals("serving_default_features:0", in.tensorName());
        assertEquals("features", in.requestInput());
        assertEquals("numeric", in.modality());
        assertEquals("identity", in.encoding());
        assertNull(in.featureNames());
        assertNull(in.visualization());
        assertEquals(List.of(0.0), in.baselines());
        ModelDescription.Output out = d.outputs().get(0);
        assertEquals("probabilities", out.name());
        assertArrayEquals(new long[] {3}, out.shape());
        assertEquals(List.of("setosa", "versicolor", "virginica"), out.labelNames());
        assertEquals(ri.sample(), d.sampleInstance());
    }

    @Test
    void featureNamesDomainGroupAndAWholeBaselineFromTheMetadata() throws Exception {
        Path file = tmp.resolve("metadata.json");
        Files.writeString(file, """
                {"inputs": {"features": {"input_tensor_name": "serving_default_features:0",
                   "input_baselines": [[1.0, 2.0, 3.0, 4.0, 5.0]], "modality": "numeric",
                   "encoding": "bag_of_features", "group_name": "all",
                   "index_feature_mapping": ["sepal_length", "sepal_width", "petal_length", "petal_width", "noise"],
                   "domain": {"original_mean": 0.5, "original_stddev": 2.0}}},
                 "outputs": {"probabilities": {"output_tensor_name": "StatefulPartitionedCall_1:0"}},
                 "framework": "tensorflow"}""");
        try (LoadedModel loaded = ModelLoader.load(TestModels.options(
                "tabular_classifier", "explain.metadata.file", file.toString(), "explain.integral-steps", "5"))) {
            ModelDescription d = loaded.description();
            ModelDescription.Input in = d.inputs().get(0);
            assertEquals(
                    List.of("sepal_length", "sepal_width", "petal_length", "petal_width", "noise"), in.featureNames());
            assertEquals(Map.of("original_mean", 0.5, "original_stddev", 2.0), in.domain());
            assertEquals("all", in.groupName());
            assertEquals("bag_of_features", in.encoding());
            assertEquals(List.of(1.0, 2.0, 3.0, 4.0, 5.0), d.sampleInstance(), "the first baseline as given");
            assertNull(d.outputs().get(0).labelNames());
            assertEquals(
                    Map.of("integral_steps", 5, "integration_rule", "trapezoid"),
                    d.method().parameters());
        }
    }

    @Test
    void severalInputsMakeAnObjectInstance() {
        ModelDescription d = TestModels.load("two_inputs", 50).description();
        assertEquals(
                Set.of("a", "b"),
                d.requestInputs().stream()
                        .map(ModelDescription.RequestInput::name)
                        .collect(Collectors.toSet()));
        assertEquals(Map.of("a", List.of(0.0, 1.0, 0.0), "b", List.of(0.0, 0.0)), d.sampleInstance());
    }

    @Test
    void imageInputsCarryTheirEffectiveVisualizationAndNoSample() throws Exception {
        Path file = tmp.resolve("metadata.json");
        Files.writeString(file, """
                {"inputs": {"image": {"input_tensor_name": "serving_default_image:0", "modality": "image",
                   "visualization": {"type": "pixels", "clip_below_percentile": 70}}},
                 "outputs": {"probs": {"output_tensor_name": "StatefulPartitionedCall_1:0"}},
                 "framework": "tensorflow"}""");
        try (LoadedModel loaded = ModelLoader.load(TestModels.options(
                "cnn_image", "explain.metadata.file", file.toString(), "explain.integral-steps", "2"))) {
            ModelDescription d = loaded.description();
            ModelDescription.Input in = d.inputs().get(0);
            assertEquals("image", in.modality());
            assertArrayEquals(new long[] {32, 32, 3}, in.shape());
            Map<String, Object> v = in.visualization();
            assertEquals("pixels", v.get("type"), "the metadata's");
            assertEquals(70.0, v.get("clip_below_percentile"), "the metadata's");
            assertEquals("positive", v.get("polarity"), "Integrated Gradients' default");
            assertEquals(99.9, v.get("clip_above_percentile"), "Integrated Gradients' default");
            assertEquals("pink_green", v.get("color_map"), "Integrated Gradients' default");
            assertEquals("original", v.get("overlay_type"), "Integrated Gradients' default");
            assertEquals("jpeg", v.get("output_format"));
            assertNull(d.requestInputs().get(0).sample(), "a picture is what a client sends");
            assertNull(d.sampleInstance());
        }
    }

    @Test
    void freeSizeImagesHaveFreeDimensions() {
        ModelDescription d = TestModels.load("fcn_image", 2).description();
        ModelDescription.RequestInput ri = d.requestInputs().get(0);
        assertArrayEquals(new long[] {-1, -1, 3}, ri.shape());
        assertNull(ri.sample());
        assertNull(d.sampleInstance());
    }

    @Test
    void bytesDecodedInsideTheGraph() {
        ModelDescription d = TestModels.load("jpeg_cnn", 50).description();
        ModelDescription.RequestInput ri = d.requestInputs().get(0);
        assertEquals("string", ri.dtype());
        assertArrayEquals(new long[0], ri.shape());
        assertNull(ri.explainedInput(), "the explained image is computed from it inside the graph");
        assertNull(ri.sample());
        ModelDescription.Input in = d.inputs().get(0);
        assertNull(in.requestInput());
        assertEquals("image", in.modality());
        assertEquals("outlines", in.visualization().get("type"));
    }

    @Test
    void tokenIdsLookedUpByAnEmbedding() {
        ModelDescription d = TestModels.load("text_embedding", 2).description();
        ModelDescription.RequestInput ri = d.requestInputs().get(0);
        assertEquals("tokens", ri.name());
        assertEquals("int32", ri.dtype());
        assertArrayEquals(new long[] {6}, ri.shape());
        assertEquals("tokens", ri.explainedInput(), "the ids are the metadata input's input_tensor_name");
        assertEquals(List.of(0, 0, 0, 0, 0, 0), ri.sample(), "ids: input_baselines are refused for embeddings");
        ModelDescription.Input in = d.inputs().get(0);
        assertEquals("serving_default_tokens:0", in.tensorName());
        assertEquals("tokens", in.requestInput());
        assertEquals("int32", in.dtype(), "the ids, not the embedding");
        assertArrayEquals(new long[] {6}, in.shape());
        assertEquals("text", in.modality());
        assertEquals("concat_embedding", in.encoding());
        assertEquals(
                "StatefulPartitionedCall_1/StatefulPartitionedCall/functional_1/embedding_1/GatherV2:0",
                in.encodedTensorName());
        assertArrayEquals(new long[] {6, EMBEDDING_WIDTH}, in.encodedShape());
        assertNull(in.baselines());
        assertNull(in.encodedBaselines(), "zeros in the embedding's space");
        assertNull(in.visualization());
        assertEquals(
                List.of("negative", "neutral", "positive"), d.outputs().get(0).labelNames());
    }

    @Test
    void identityInputsHaveNoEncodedTensor() {
        ModelDescription.Input in =
                TestModels.load("tabular_classifier", 2).description().inputs().get(0);
        assertNull(in.encodedTensorName());
        assertNull(in.encodedShape());
        assertArrayEquals(new long[] {5}, in.shape());
    }

    @Test
    void methodParameters() {
        ModelDescription.Method xrai = ModelDescriptions.method(
                TestOptions.from("explain.method", "xrai").attribution());
        assertEquals("xrai", xrai.name());
        assertEquals(50, xrai.parameters().get("integral_steps"));
        @SuppressWarnings("unchecked")
        Map<String, Object> x = (Map<String, Object>) xrai.parameters().get("xrai");
        assertEquals(224, x.get("segmentation_size"));
        assertEquals(List.of(50.0, 100.0, 150.0, 250.0, 500.0, 1200.0), x.get("scales"));
        ModelDescription.Method shapley =
                ModelDescriptions.method(TestOptions.from("explain.method", "sampled-shapley", "explain.paths", "20")
                        .attribution());
        assertEquals("sampled-shapley", shapley.name());
        assertEquals(Map.of("paths", 20), shapley.parameters());
    }

    @Test
    void aTargetApproxErrorSaysItsCapAndHowItPlacesSteps() {
        Map<String, Object> placed = ModelDescriptions.method(
                        TestOptions.from("explain.target-approx-error", "0.05").attribution())
                .parameters();
        assertEquals(0.05, placed.get("target_approx_error"));
        assertEquals(400, placed.get("max_integral_steps"));
        assertEquals("local-error", placed.get("step_placement"), "the default");
        Map<String, Object> equal = ModelDescriptions.method(
                        TestOptions.from("explain.target-approx-error", "0.05", "explain.step-placement", "equal")
                                .attribution())
                .parameters();
        assertEquals("equal", equal.get("step_placement"));
        assertNull(
                ModelDescriptions.method(TestOptions.from().attribution())
                        .parameters()
                        .get("step_placement"),
                "fixed steps place nothing");
    }
}
