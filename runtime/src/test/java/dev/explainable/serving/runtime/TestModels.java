package dev.explainable.serving.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.runtime.config.RuntimeOptions;
import dev.explainable.serving.runtime.explain.IntegrationRule;
import dev.explainable.serving.runtime.result.Explanation;
import dev.explainable.serving.runtime.result.InputExplanation;
import dev.explainable.serving.runtime.result.LabelAttribution;
import dev.explainable.serving.runtime.service.ExplainOptions;
import dev.explainable.serving.runtime.service.LoadedModel;
import dev.explainable.serving.runtime.service.ModelLoader;
import dev.explainable.serving.runtime.testing.TestOptions;

/** The committed test SavedModels (tools/make-test-models.py) and their Python-side expectations. */
public final class TestModels {

    public static final Path ROOT = Path.of("src/test/resources/models");
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, LoadedModel> CACHE = new HashMap<>();

    private TestModels() {}

    public static Path dir(String model) {
        return ROOT.resolve(model);
    }

    public static JsonNode expected(String model) {
        try {
            return JSON.readTree(Files.readString(dir(model).resolve("expected.json")));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The shipped defaults for a committed model, with the raw maps beside rendered images (so tests can check the
     * numbers), and {@code properties} (name, value pairs: {@code "explain.integral-steps", "10"}).
     */
    public static RuntimeOptions options(String model, String... properties) {
        return TestOptions.from(
                Map.of("explain.model.dir", dir(model).toString(), "explain.visualization.include-raw", "true"),
                properties);
    }

    /** Integrated Gradients with the given steps, loaded once per JVM: loading natives and models is the slow part. */
    public static synchronized LoadedModel load(String model, int steps) {
        return CACHE.computeIfAbsent(
                model + "@" + steps,
                k -> ModelLoader.load(options(model, "explain.integral-steps", String.valueOf(steps))));
    }

    /** Sampled Shapley with the given number of permutations, loaded once per JVM. */
    public static synchronized LoadedModel loadShapley(String model, int paths) {
        return CACHE.computeIfAbsent(
                model + "#shapley@" + paths,
                k -> ModelLoader.load(options(
                        model,
                        "explain.method",
                        AttributionMethod.SAMPLED_SHAPLEY.runtimeName(),
                        "explain.paths",
                        String.valueOf(paths))));
    }

    /** Any method and integration rule, loaded once per JVM. */
    public static synchronized LoadedModel load(
            String model, AttributionMethod method, int steps, IntegrationRule rule) {
        return CACHE.computeIfAbsent(
                model + "#" + method + "@" + steps + "/" + rule,
                k -> ModelLoader.load(options(
                        model,
                        "explain.method",
                        method.runtimeName(),
                        "explain.integral-steps",
                        String.valueOf(steps),
                        "explain.integration-rule",
                        rule.name())));
    }

    /** Image instance [h][w][3] in [0, 1] from the uint8 picture stored in expected.json. */
    public static String unitImage(JsonNode uint8) {
        StringBuilder b = new StringBuilder("[");
        for (int y = 0; y < uint8.size(); y++) {
            b.append(y == 0 ? "[" : ",[");
            for (int x = 0; x < uint8.get(y).size(); x++) {
                JsonNode p = uint8.get(y).get(x);
                b.append(x == 0 ? "[" : ",[")
                        .append(p.get(0).asInt() / 255.0)
                        .append(',')
                        .append(p.get(1).asInt() / 255.0)
                        .append(',')
                        .append(p.get(2).asInt() / 255.0)
                        .append(']');
            }
            b.append(']');
        }
        return b.append(']').toString();
    }

    /** The explanation of one JSON instance with the model's configuration. */
    public static Explanation explainOne(LoadedModel loaded, JsonNode instance) {
        return loaded.pipeline().explain(List.of(instance), ExplainOptions.NONE).get(0);
    }

    /** The explanation of the first output for one JSON instance. */
    public static LabelAttribution explain(LoadedModel loaded, String instanceJson) {
        try {
            return explainOne(loaded, JSON.readTree(instanceJson)).labels().get(0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The numbers of an input's attributions, flat (a rendered image's raw map). */
    public static double[] flat(InputExplanation e) {
        return e.tensor().values();
    }
}
