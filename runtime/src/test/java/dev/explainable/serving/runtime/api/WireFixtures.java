package dev.explainable.serving.runtime.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.result.Explanation;
import dev.explainable.serving.runtime.result.ImageFormat;
import dev.explainable.serving.runtime.result.InputExplanation;
import dev.explainable.serving.runtime.result.LabelAttribution;
import dev.explainable.serving.runtime.result.NamedFeatures;
import dev.explainable.serving.runtime.result.RenderedImage;
import dev.explainable.serving.runtime.result.TensorAttribution;
import dev.explainable.serving.runtime.service.ModelDescription;
import dev.explainable.serving.runtime.tensor.DType;
import dev.explainable.serving.runtime.tensor.HostTensor;

/** Fixed results for {@link WireFormatTest}: every optional field present and absent, every value form. */
final class WireFixtures {

    private WireFixtures() {}

    /** Committed models whose descriptions and version resources are compared (small ones, of every kind). */
    static final List<String> MODELS = List.of(
            "tabular_classifier",
            "linear_regressor",
            "two_inputs",
            "sparse_bag",
            "text_embedding",
            "cnn_image",
            "jpeg_cnn",
            "tf1_example_parser");

    /** A message with what JSON must escape, and what it must not. */
    static final String AWKWARD = "a \"quoted\" back\\slash </script> & é 中 \u0001 \t \n \u2028 \uD83D\uDE42";

    static final TensorAttribution VECTOR =
            new TensorAttribution(new long[] {5}, new double[] {0.1, -2.5e-7, 1.0 / 3, 0, 123456.789});
    static final TensorAttribution SCALAR = new TensorAttribution(new long[] {}, new double[] {-0.75});
    static final TensorAttribution MATRIX =
            new TensorAttribution(new long[] {2, 2, 1}, new double[] {1e-300, 1e300, -0.0, Math.PI});
    static final TensorAttribution WIDENED_FLOATS =
            new TensorAttribution(new long[] {3}, new double[] {0.1f, 1e-8f, 3.4e38f});

    static Map<String, InputExplanation> inputs(Object... pairs) {
        Map<String, InputExplanation> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], (InputExplanation) pairs[i + 1]);
        }
        return m;
    }

    /** Three instances' explanations: a vector output's label, a scalar output, images and named features. */
    static List<Explanation> explanations() {
        Map<String, Double> features = new LinkedHashMap<>();
        features.put("zeta", 0.5);
        features.put("alpha", -1e-12);
        features.put("mid", 1e21);
        NamedFeatures named = new NamedFeatures(features, WIDENED_FLOATS);
        byte[] picture = "not really a picture \u00ff".getBytes(StandardCharsets.ISO_8859_1);
        return List.of(
                new Explanation(List.of(
                        new LabelAttribution(
                                "probabilities", 2, "virginica", 0.1f, 0.9, 0.00123, null, inputs("features", VECTOR)),
                        new LabelAttribution(
                                "probabilities", 0, null, 0.0, 1.0, 0.0, 64, inputs("features", WIDENED_FLOATS)))),
                new Explanation(List.of(new LabelAttribution(
                        "score", -1, null, -3.5, 2.25, null, null, inputs("x", SCALAR, "words", named)))),
                new Explanation(List.of(
                        new LabelAttribution(
                                "logits",
                                7,
                                "seven",
                                1e-3,
                                12.0,
                                0.5,
                                16,
                                inputs("image", new RenderedImage(ImageFormat.PNG, picture, MATRIX, true))),
                        new LabelAttribution(
                                "logits",
                                3,
                                null,
                                0,
                                0,
                                null,
                                null,
                                inputs(
                                        "image",
                                        new RenderedImage(ImageFormat.JPEG, picture, MATRIX, false),
                                        "mask",
                                        MATRIX)))));
    }

    /** The instances of {@link #explanations}: a bare one, a named one, an image by {@code b64}. */
    static List<JsonNode> instances() {
        try {
            return List.of(
                    TestModels.JSON.readTree("[1, 2, 3, 4, 5]"),
                    TestModels.JSON.readTree("{\"x\": 1, \"words\": [\"a\"]}"),
                    TestModels.JSON.readTree("{\"b64\": \"AAAA\"}"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Outputs of every element type, one output alone and several named ones, scalars and nested lists. */
    static List<Map<String, HostTensor>> predictions() {
        Map<String, HostTensor> one = new LinkedHashMap<>();
        one.put("probabilities", HostTensor.floats(new long[] {3}, new float[] {0.1f, 0.2f, 0.7f}));
        Map<String, HostTensor> several = new LinkedHashMap<>();
        several.put("scores", HostTensor.floats(new long[] {2, 1}, new float[] {-1.5e-20f, 3.4e38f}));
        several.put("exact", new HostTensor(DType.DOUBLE, new long[] {2}, new double[] {0.1, 1.0 / 3}));
        several.put("count", new HostTensor(DType.INT64, new long[] {}, new long[] {1L << 40}));
        several.put("index", new HostTensor(DType.INT32, new long[] {2}, new int[] {-1, 7}));
        several.put("flags", new HostTensor(DType.BOOL, new long[] {2}, new boolean[] {true, false}));
        several.put(
                "label",
                new HostTensor(DType.STRING, new long[] {1}, new byte[][] {AWKWARD.getBytes(StandardCharsets.UTF_8)}));
        Map<String, HostTensor> scalar = new LinkedHashMap<>();
        scalar.put("value", HostTensor.floats(new long[] {}, new float[] {42f}));
        return List.of(one, several, scalar);
    }

    /** A description with every field given, and nulls where the writer always writes the key. */
    static ModelDescription description() {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("integral_steps", 50);
        parameters.put("target_approx_error", 0.01);
        parameters.put("nothing", null);
        parameters.put("xrai", Map.of("segments", List.of(1, 2.5f)));
        Map<String, Object> visualization = new LinkedHashMap<>();
        visualization.put("type", "pixels");
        visualization.put("clip_above_percentile", 99.9);
        visualization.put("overlay_multiplier", 0.4f);
        visualization.put("unset", null);
        Map<String, Double> domain = new LinkedHashMap<>();
        domain.put("min", -1.0);
        domain.put("max", 1e-7);
        return new ModelDescription(
                new ModelDescription.Method("integrated-gradients", parameters),
                List.of(
                        new ModelDescription.RequestInput(
                                "features", "float32", new long[] {-1, 5}, "x", List.of(0.0f)),
                        new ModelDescription.RequestInput("raw", null, null, null, null)),
                List.of(
                        new ModelDescription.Input(
                                "x",
                                "serving_default_features:0",
                                "features",
                                "float32",
                                new long[] {5},
                                "numeric",
                                "identity",
                                "embedding:0",
                                new long[] {5, 4},
                                List.of("a", "b"),
                                domain,
                                "group",
                                List.of(0.0, List.of(1, 2)),
                                List.of(1.5f),
                                visualization,
                                "bag",
                                "bag_2"),
                        new ModelDescription.Input(
                                "y", null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                                null, null)),
                List.of(
                        new ModelDescription.Output("probabilities", new long[] {3}, List.of("a", "b", "c")),
                        new ModelDescription.Output("unknown", null, null)),
                Map.of("features", List.of(0.0, 1)),
                List.of(
                        new ModelDescription.Device("/device:CPU:0", "CPU", 268435456L),
                        new ModelDescription.Device("/device:GPU:0", "GPU", 1L << 34)));
    }

    /** The least a description has: no sample, no devices. */
    static ModelDescription sparseDescription() {
        return new ModelDescription(
                new ModelDescription.Method("sampled-shapley", Map.of()),
                List.of(),
                List.of(),
                List.of(),
                null,
                List.of());
    }

    /**
     * The description with the devices of a machine without a GPU, whatever this one has, and its request inputs (and
     * a sample instance's) by name: the order of a signature's inputs may change from one load to the next
     * (TensorFlow keeps them in a map).
     */
    static ModelDescription onFixedDevices(ModelDescription d) {
        return new ModelDescription(
                d.method(),
                d.requestInputs().stream()
                        .sorted(Comparator.comparing(ModelDescription.RequestInput::name))
                        .toList(),
                d.inputs(),
                d.outputs(),
                d.sampleInstance() instanceof Map<?, ?> named ? new TreeMap<>(named) : d.sampleInstance(),
                List.of(new ModelDescription.Device("/job:localhost/replica:0/task:0/device:CPU:0", "CPU", 1000L)));
    }
}
