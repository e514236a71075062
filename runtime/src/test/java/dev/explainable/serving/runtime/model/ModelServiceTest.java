package dev.explainable.serving.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.explain.AttributionByLabel;
import dev.explainable.serving.runtime.metadata.MetadataException;

/** Loading: metadata override, averaged baselines, and clear failures. */
class ModelServiceTest {

    @TempDir
    Path tmp;

    ModelService.Loaded loadWith(String metadataJson) throws Exception {
        Path file = tmp.resolve("override.json");
        Files.writeString(file, metadataJson);
        return ModelService.load(new TestModels.Config(TestModels.dir("linear_regressor").toString(),
                Optional.of(file.toString()), "integrated-gradients", 10, 64));
    }

    @Test
    void metadataFileOverridesTheOneInTheModelFolderAndBaselinesAreAveraged() throws Exception {
        // Two baselines, 0 and 1: IG is linear in the baseline, so the average equals w (x - 0.5).
        ModelService.Loaded loaded = loadWith("""
                {"inputs": {"features": {"input_tensor_name": "serving_default_x:0", "input_baselines": [0, 1]}},
                 "outputs": {"score": {"output_tensor_name": "StatefulPartitionedCall_1:0"}},
                 "framework": "tensorflow2"}""");
        var decoded = loaded.decoder().decode(TestModels.JSON.readTree("{\"features\": [1, 2, 3, 4]}"), 0);
        AttributionByLabel a = loaded.explainer().explain(loaded.runner().forward(List.of(decoded)).get(0))
                .attributionsByLabel().get(0);
        assertEquals("score", a.outputName());
        double[] attr = ((dev.explainable.serving.runtime.explain.AttributionMap) a.attributions().get("features")).values();
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
        ModelService.Loaded loaded = loadWith("""
                {"inputs": {"trip": {"input_tensor_name": "serving_default_x:0", "encoding": "bag_of_features",
                  "index_feature_mapping": ["start_hr", "weekday", "euclidean", "temp"]}},
                 "outputs": {"duration": {"output_tensor_name": "StatefulPartitionedCall_1:0"}},
                 "framework": "tensorflow"}""");
        var decoded = loaded.decoder().decode(TestModels.JSON.readTree("{\"trip\": [1, 2, 3, 4]}"), 0);
        AttributionByLabel a = loaded.explainer().explain(loaded.runner().forward(List.of(decoded)).get(0))
                .attributionsByLabel().get(0);
        assertEquals(java.util.Map.of("start_hr", 2.0, "weekday", -2.0, "euclidean", 1.5, "temp", 12.0).keySet(),
                ((java.util.Map<?, ?>) a.attributions().get("trip")).keySet());
        assertEquals(12.0, (Double) ((java.util.Map<?, ?>) a.attributions().get("trip")).get("temp"), 1e-4);
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
    void missingModelOrMethodIsAClearError() {
        MetadataException e = assertThrows(MetadataException.class, () -> ModelService.load(
                new TestModels.Config(tmp.toString(), Optional.empty(), "integrated-gradients", 50, 64)));
        assertTrue(e.getMessage().contains("explanation_metadata.json does not exist"), e.getMessage());
        e = assertThrows(MetadataException.class, () -> ModelService.load(
                new TestModels.Config(tmp.toString(), Optional.empty(), "lime", 50, 64)));
        assertTrue(e.getMessage().contains("explain.method must be one of"), e.getMessage());
    }

    /** A free-size model whose VALID 5x5 convolutions cannot take a 1x1 input: the warm-up gives free sizes 224. */
    @Test
    void freeSizeModelsWithValidPaddingLoadWithTheWarmUpSize() throws Exception {
        TestModels.Config config = new TestModels.Config(TestModels.dir("valid_fcn_image").toString(),
                Optional.empty(), "integrated-gradients", 10, 64);
        ModelService.Loaded loaded = ModelService.load(config);
        try {
            var decoded = loaded.decoder().decode(TestModels.JSON.readTree(
                    "[" + String.join(",", java.util.Collections.nCopies(20,
                            "[" + String.join(",", java.util.Collections.nCopies(20, "[0.5, 0.2, 0.1]")) + "]"))
                            + "]"), 0);
            AttributionByLabel a = loaded.explainer().explain(loaded.runner().forward(List.of(decoded)).get(0))
                    .attributionsByLabel().get(0);
            assertTrue(Double.isFinite(a.exampleScore()));
        } finally {
            loaded.model().close();
        }

        MetadataException tooSmall = assertThrows(MetadataException.class,
                () -> ModelService.load(new WarmUpSize(config, 1)));
        assertTrue(tooSmall.getMessage().contains("explain.warm-up-free-dimension"), tooSmall.getMessage());
    }

    /** A config whose warm-up gives free dimensions another size. */
    record WarmUpSize(dev.explainable.serving.runtime.config.ExplainConfig base, int size)
            implements dev.explainable.serving.runtime.config.ExplainConfig {
        public Model model() {
            return base.model();
        }

        public Metadata metadata() {
            return base.metadata();
        }

        public String method() {
            return base.method();
        }

        public int integralSteps() {
            return base.integralSteps();
        }

        public int paths() {
            return base.paths();
        }

        public int batchSize() {
            return base.batchSize();
        }

        public long maxRequestBytes() {
            return base.maxRequestBytes();
        }

        public boolean exitOnLoadFailure() {
            return false;
        }

        public Visualization visualization() {
            return base.visualization();
        }

        public String integrationRule() {
            return base.integrationRule();
        }

        public Xrai xrai() {
            return base.xrai();
        }

        public Limits limits() {
            return base.limits();
        }

        public Admission admission() {
            return base.admission();
        }

        public int warmUpFreeDimension() {
            return size;
        }
    }
}
