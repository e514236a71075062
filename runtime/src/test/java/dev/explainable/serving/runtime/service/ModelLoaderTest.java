package dev.explainable.serving.runtime.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.result.LabelAttribution;
import dev.explainable.serving.runtime.result.NamedFeatures;
import dev.explainable.serving.runtime.testing.TestOptions;

/** Loading: metadata override, averaged baselines, and clear failures. */
class ModelLoaderTest {

    @TempDir
    Path tmp;

    LoadedModel loadWith(String metadataJson) throws Exception {
        Path file = tmp.resolve("override.json");
        Files.writeString(file, metadataJson);
        return ModelLoader.load(TestModels.options(
                "linear_regressor", "explain.metadata.file", file.toString(), "explain.integral-steps", "10"));
    }

    @Test
    void metadataFileOverridesTheOneInTheModelFolderAndBaselinesAreAveraged() throws Exception {
        // Two baselines, 0 and 1: IG is linear in the baseline, so the average equals w (x - 0.5).
        LoadedModel loaded = loadWith("""
                {"inputs": {"features": {"input_tensor_name": "serving_default_x:0", "input_baselines": [0, 1]}},
                 "outputs": {"score": {"output_tensor_name": "StatefulPartitionedCall_1:0"}},
                 "framework": "tensorflow2"}""");
        LabelAttribution a = TestModels.explain(loaded, "{\"features\": [1, 2, 3, 4]}");
        assertEquals("score", a.outputName());
        double[] attr = TestModels.flat(a.attributions().get("features"));
        double[] w = {2, -1, 0.5, 3};
        for (int i = 0; i < 4; i++) {
            assertEquals(w[i] * (i + 1 - 0.5), attr[i], 1e-5);
        }
        double baselineScoreAverage = ((1 + 0) + (1 + 2 - 1 + 0.5 + 3)) / 2.0;
        assertEquals(baselineScoreAverage, a.baselineScore(), 1e-5);
        loaded.model().close();
    }

    @Test
    void indexFeatureMappingKeysAttributionsByFeatureName() throws Exception {
        LoadedModel loaded = loadWith("""
                {"inputs": {"trip": {"input_tensor_name": "serving_default_x:0", "encoding": "bag_of_features",
                  "index_feature_mapping": ["start_hr", "weekday", "euclidean", "temp"]}},
                 "outputs": {"duration": {"output_tensor_name": "StatefulPartitionedCall_1:0"}},
                 "framework": "tensorflow"}""");
        LabelAttribution a = TestModels.explain(loaded, "{\"trip\": [1, 2, 3, 4]}");
        NamedFeatures trip = (NamedFeatures) a.attributions().get("trip");
        assertEquals(
                java.util.List.of("start_hr", "weekday", "euclidean", "temp"),
                java.util.List.copyOf(trip.features().keySet()));
        assertEquals(12.0, trip.features().get("temp"), 1e-4);
        loaded.model().close();
    }

    @Test
    void tensorsThatDoNotExistAreNamedInTheError() throws Exception {
        MetadataException e = assertThrows(MetadataException.class, () -> loadWith("""
                {"inputs": {"x": {"input_tensor_name": "no_such_tensor:0"}},
                 "outputs": {"y": {"output_tensor_name": "StatefulPartitionedCall_1:0"}}, "framework": "tensorflow"}"""));
        assertEquals("input 'x': tensor no_such_tensor:0 is not in the model's graph", e.getMessage());
    }

    @Test
    void missingModelOrSettingIsAClearError() {
        MetadataException e = assertThrows(
                MetadataException.class, () -> ModelLoader.load(TestOptions.from("explain.model.dir", tmp.toString())));
        assertTrue(e.getMessage().contains("saved_model.pb is missing"), e.getMessage());
        e = assertThrows(
                MetadataException.class,
                () -> ModelLoader.load(TestModels.options(
                        "linear_regressor",
                        "explain.metadata.file",
                        tmp.resolve("missing.json").toString())));
        assertTrue(e.getMessage().contains("missing.json does not exist"), e.getMessage());
        e = assertThrows(MetadataException.class, () -> ModelLoader.load(TestOptions.from()));
        assertTrue(e.getMessage().contains("EXPLAIN_MODEL_DIR"), e.getMessage());
        e = assertThrows(
                MetadataException.class,
                () -> ModelLoader.load(TestModels.options("linear_regressor", "explain.batch-size", "0")));
        assertTrue(e.getMessage().contains("explain.batch-size"), e.getMessage());
    }

    /** A free-size model whose VALID 5x5 convolutions cannot take a 1x1 input: the warm-up gives free sizes 224. */
    @Test
    void freeSizeModelsWithValidPaddingLoadWithTheWarmUpSize() throws Exception {
        try (LoadedModel loaded =
                ModelLoader.load(TestModels.options("valid_fcn_image", "explain.integral-steps", "10"))) {
            LabelAttribution a = TestModels.explain(
                    loaded,
                    "["
                            + String.join(
                                    ",",
                                    java.util.Collections.nCopies(
                                            20,
                                            "[" + String.join(",", java.util.Collections.nCopies(20, "[0.5, 0.2, 0.1]"))
                                                    + "]"))
                            + "]");
            assertTrue(Double.isFinite(a.exampleScore()));
        }

        MetadataException tooSmall = assertThrows(
                MetadataException.class,
                () -> ModelLoader.load(TestModels.options(
                        "valid_fcn_image", "explain.integral-steps", "10", "explain.warm-up-free-dimension", "1")));
        assertTrue(tooSmall.getMessage().contains("explain.warm-up-free-dimension"), tooSmall.getMessage());
    }

    /** Without explanation_metadata.json: every float32 signature input explained as itself, the first output. */
    @Test
    void modelsWithoutMetadataAreExplainedWithMetadataInferredFromTheSignature() throws Exception {
        Path dir = tmp.resolve("no-metadata");
        copy(TestModels.dir("two_inputs"), dir);
        Files.delete(dir.resolve("explanation_metadata.json"));
        try (LoadedModel loaded = ModelLoader.load(
                TestOptions.from("explain.model.dir", dir.toString(), "explain.integral-steps", "10"))) {
            assertTrue(loaded.metadataInferred());
            assertEquals(java.util.Set.of("a", "b"), loaded.metadata().inputs().keySet());
            assertEquals(
                    java.util.Set.of("output_0"), loaded.metadata().outputs().keySet());
            LabelAttribution a = TestModels.explain(loaded, "{\"a\": [1.0, -2.0, 4.0], \"b\": [0.5, 3.0]}");
            double[] wa = {1.5, -2.0, 0.25};
            double[] attributions = TestModels.flat(a.attributions().get("a"));
            for (int i = 0; i < 3; i++) {
                assertEquals(wa[i] * new double[] {1.0, -2.0, 4.0}[i], attributions[i], 1e-4, "zero baseline");
            }
        }
    }

    static void copy(Path from, Path to) throws java.io.IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** A Vertex-format metadata file explains exactly as the AI Platform one it mirrors. */
    @Test
    void vertexMetadataFilesLoadLikeAiPlatformOnes() throws Exception {
        LoadedModel vertex = loadWith("""
                {"inputs": {"features": {"inputTensorName": "serving_default_x:0", "inputBaselines": [0, 1]}},
                 "outputs": {"score": {"outputTensorName": "StatefulPartitionedCall_1:0"}}}""");
        try (vertex) {
            double[] attr = TestModels.flat(TestModels.explain(vertex, "{\"features\": [1, 2, 3, 4]}")
                    .attributions()
                    .get("features"));
            double[] w = {2, -1, 0.5, 3};
            for (int i = 0; i < 4; i++) {
                assertEquals(w[i] * (i + 1 - 0.5), attr[i], 1e-5);
            }
        }
    }
}
