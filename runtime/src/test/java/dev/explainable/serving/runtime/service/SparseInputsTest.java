package dev.explainable.serving.runtime.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.result.Explanation;
import dev.explainable.serving.runtime.result.LabelAttribution;
import dev.explainable.serving.runtime.result.NamedFeatures;
import dev.explainable.serving.runtime.result.TensorAttribution;
import dev.explainable.serving.runtime.tensor.HostTensor;
import dev.explainable.serving.runtime.work.InvalidRequestException;
import dev.explainable.serving.runtime.work.LimitExceededException;

/**
 * Sparse inputs ({@code indices_tensor_name}, {@code dense_shape_tensor_name}) on {@code sparse_bag}: a
 * {@code tf.SparseTensorSpec} argument exported as three signature inputs ({@code bag}: indices, {@code bag_1}:
 * values, {@code bag_2}: dense shape), multiplied by weights ({@code SparseTensorDenseMatMul}) and densified
 * ({@code SparseToDense}), explained as {@code bag_of_features_sparse}. References from Python TensorFlow
 * (tools/make-test-models.py): GradientTape's IG on the stored values and exact Shapley values.
 */
class SparseInputsTest {

    static final JsonNode EXPECTED = TestModels.expected("sparse_bag");
    static final List<String> TERMS =
            List.of("fast", "cheap", "reliable", "slow", "pricey", "broken", "support", "refund");

    /** One instance's SparseTensor without the batch dimension: indices [n, 1], values [n], dense shape [8]. */
    static String instance(JsonNode want) {
        return "{\"bag\": " + want.get("indices") + ", \"bag_1\": " + want.get("values") + ", \"bag_2\": [8]}";
    }

    static JsonNode json(String s) {
        try {
            return TestModels.JSON.readTree(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void integratedGradientsOnTheStoredValuesMatchGradientTapeByFeatureName() {
        LoadedModel loaded = TestModels.load("sparse_bag", 50);
        for (JsonNode want : EXPECTED.get("explanations")) {
            LabelAttribution a = TestModels.explain(loaded, instance(want));
            assertEquals(want.get("label_index").asInt(), a.labelIndex());
            assertEquals(List.of("complaint", "neutral", "praise").get(a.labelIndex()), a.labelName());
            assertEquals(want.get("example_score").asDouble(), a.exampleScore(), 1e-5, "the model's own output");
            assertEquals(want.get("baseline_score").asDouble(), a.baselineScore(), 1e-5, "all values at 0");
            NamedFeatures features =
                    assertInstanceOf(NamedFeatures.class, a.attributions().get("terms"));
            // only the features the instance stores, in feature order
            List<String> names = new ArrayList<>();
            want.get("features").forEach(f -> names.add(f.asText()));
            assertEquals(names, List.copyOf(features.features().keySet()));
            double[] reference = ModelFamiliesTest.flatten(want.get("attributions"));
            IntegratedGradientsModelTest.assertClose(reference, TestModels.flat(features), 1e-4);
            for (int k = 0; k < names.size(); k++) {
                assertEquals(TestModels.flat(features)[k], features.features().get(names.get(k)));
            }
            assertTrue(a.approxError() < 0.01, "completeness gap " + a.approxError());
        }
    }

    /** A batch of one, as tf.sparse builds it for one example: a leading 0 in each index, 1 in the dense shape. */
    @Test
    void aBatchOfOneIsTheSameInstance() {
        LoadedModel loaded = TestModels.load("sparse_bag", 50);
        JsonNode want = EXPECTED.get("explanations").get(1);
        StringBuilder indices = new StringBuilder("[");
        for (JsonNode index : want.get("indices")) {
            indices.append(indices.length() > 1 ? "," : "")
                    .append("[0,")
                    .append(index.get(0))
                    .append(']');
        }
        String batched = "{\"bag\": " + indices + "], \"bag_1\": " + want.get("values") + ", \"bag_2\": [1, 8]}";
        assertArrayEquals(
                TestModels.flat(TestModels.explain(loaded, instance(want))
                        .attributions()
                        .get("terms")),
                TestModels.flat(
                        TestModels.explain(loaded, batched).attributions().get("terms")));
    }

    /**
     * Instances storing different numbers of values share forward runs: predictions equal Python's batch, and each
     * explanation equals the instance's alone. The metadata key names the values too.
     */
    @Test
    void instancesOfDifferentLengthsRunTogether() {
        LoadedModel loaded = TestModels.load("sparse_bag", 50);
        List<JsonNode> instances = new ArrayList<>();
        EXPECTED.get("explanations").forEach(want -> instances.add(json(instance(want))));
        List<Map<String, HostTensor>> predictions = loaded.pipeline().predict(instances);
        for (int i = 0; i < instances.size(); i++) {
            IntegratedGradientsModelTest.assertClose(
                    ModelFamiliesTest.flatten(EXPECTED.get("predictions").get(i)),
                    toDoubles(predictions.get(i).get("probs").floats()),
                    1e-5);
        }
        List<Explanation> together = loaded.pipeline().explain(instances, ExplainOptions.NONE);
        for (int i = 0; i < instances.size(); i++) {
            ObjectNode byKey = (ObjectNode) instances.get(i).deepCopy();
            byKey.set("terms", byKey.remove("bag_1"));
            assertArrayEquals(
                    TestModels.flat(
                            together.get(i).labels().get(0).attributions().get("terms")),
                    TestModels.flat(TestModels.explain(loaded, byKey.toString())
                            .attributions()
                            .get("terms")));
        }
    }

    /** Each stored value is a player; the estimate converges to the exact Shapley values Python enumerated. */
    @Test
    void sampledShapleyPlaysEachStoredValue() {
        LoadedModel loaded = TestModels.loadShapley("sparse_bag", 50);
        for (JsonNode want : EXPECTED.get("explanations")) {
            LabelAttribution a = TestModels.explain(loaded, instance(want));
            double[] sampled = TestModels.flat(a.attributions().get("terms"));
            double[] exact = ModelFamiliesTest.flatten(want.get("shapley"));
            double delta = a.exampleScore() - a.baselineScore();
            assertEquals(delta, Arrays.stream(sampled).sum(), 1e-5, "credits telescope: completeness is exact");
            double error = SampledShapleyModelTest.distance(sampled, exact);
            double stderr = a.approxError() * Math.abs(delta);
            assertTrue(error <= 4 * stderr + 1e-6, "L2 error " + error + " vs reported standard error " + stderr);
        }
    }

    /** Without index_feature_mapping (identity), one attribution per stored value, in the order sent. */
    @Test
    void withoutFeatureNamesEachStoredValueHasItsAttribution(@TempDir Path tmp) throws IOException {
        Path metadata = tmp.resolve("explanation_metadata.json");
        ObjectNode m =
                (ObjectNode) json(Files.readString(TestModels.dir("sparse_bag").resolve("explanation_metadata.json")));
        ObjectNode terms = (ObjectNode) m.get("inputs").get("terms");
        terms.remove("encoding");
        terms.remove("index_feature_mapping");
        Files.writeString(metadata, m.toString());
        JsonNode want = EXPECTED.get("explanations").get(1);
        // no feature count fixes the dense shape: the warm-up gives it the free-dimension size, which must fit
        assertTrue(assertThrows(
                        MetadataException.class,
                        () -> ModelLoader.load(
                                TestModels.options("sparse_bag", "explain.metadata.file", metadata.toString())))
                .getMessage()
                .contains("explain.warm-up-free-dimension"));
        try (LoadedModel loaded = ModelLoader.load(TestModels.options(
                "sparse_bag", "explain.metadata.file", metadata.toString(), "explain.warm-up-free-dimension", "8"))) {
            TensorAttribution t = assertInstanceOf(
                    TensorAttribution.class,
                    TestModels.explain(loaded, instance(want)).attributions().get("terms"));
            assertArrayEquals(new long[] {4}, t.shape());
            IntegratedGradientsModelTest.assertClose(
                    ModelFamiliesTest.flatten(want.get("attributions")), t.values(), 1e-4);
            // with no feature count fixed, a dense shape above the free-dimension limit is refused
            String wide = instance(want).replace("\"bag_2\": [8]", "\"bag_2\": [100000]");
            assertTrue(refusal(loaded, wide, LimitExceededException.class).contains("max-free-dimension"));
        }
    }

    static <T extends RuntimeException> String refusal(LoadedModel loaded, String instance, Class<T> type) {
        return assertThrows(type, () -> TestModels.explainOne(loaded, json(instance)))
                .getMessage();
    }

    static String refusal(String instance) {
        return refusal(TestModels.load("sparse_bag", 50), instance, InvalidRequestException.class);
    }

    /** Each request that does not fit is the client's error, saying what to change. */
    @Test
    void refusesInstancesThatDoNotFit() {
        String lengths = refusal("{\"bag\": [[0], [2]], \"bag_1\": [1.0, 2.0, 0.5], \"bag_2\": [8]}");
        assertTrue(lengths.contains("3 values ('bag_1') but 2 indices ('bag')"), lengths);
        String feature = refusal("{\"bag\": [[0], [8]], \"bag_1\": [1.0, 2.0], \"bag_2\": [8]}");
        assertTrue(feature.contains("index 1 of 'bag', [8], is outside the dense shape [8]"), feature);
        assertTrue(feature.contains("names 8 features"), feature);
        assertTrue(refusal("{\"bag\": [[0], [-1]], \"bag_1\": [1.0, 2.0], \"bag_2\": [8]}")
                .contains("outside the dense shape"));
        String shape = refusal("{\"bag\": [[0]], \"bag_1\": [1.0], \"bag_2\": [9]}");
        assertTrue(shape.contains("ends with 9, but input 'terms' has 8 features"), shape);
        String order = refusal("{\"bag\": [[5], [2]], \"bag_1\": [1.0, 2.0], \"bag_2\": [8]}");
        assertTrue(order.contains("row-major order without repeats"), order);
        assertTrue(refusal("{\"bag\": [[2], [2]], \"bag_1\": [1.0, 2.0], \"bag_2\": [8]}")
                .contains("without repeats"));
        assertTrue(refusal("{\"bag\": [[0, 2]], \"bag_1\": [1.0], \"bag_2\": [2, 8]}")
                .contains("a batch of one, but its first is 2"));
        assertTrue(refusal("{\"bag\": [[1, 2]], \"bag_1\": [1.0], \"bag_2\": [1, 8]}")
                .contains("every index starts with 0"));
        assertTrue(refusal("{\"bag\": [[0, 2]], \"bag_1\": [1.0], \"bag_2\": [8]}")
                .contains("1 coordinates per stored value"));
        assertTrue(refusal("{\"bag\": [[0]], \"bag_1\": [1.0]}").contains("missing input(s) [bag_2]"));
        assertTrue(
                refusal("{\"bag\": [[0]], \"bag_1\": [\"a\"], \"bag_2\": [8]}").contains("expected a number"));
        assertTrue(
                refusal("{\"bag\": [[0.5]], \"bag_1\": [1.0], \"bag_2\": [8]}").contains("expected an integer"));
        String many = "{\"bag\": " + Arrays.toString(new int[5000]).replace("0", "[0]") + ", \"bag_1\": "
                + Arrays.toString(new float[5000]) + ", \"bag_2\": [8]}";
        assertTrue(refusal(TestModels.load("sparse_bag", 50), many, LimitExceededException.class)
                .contains("max-free-dimension"));
    }

    /** An instance storing nothing is the baseline: no attributions, both scores equal. */
    @Test
    void anInstanceStoringNothingIsTheBaseline() {
        LabelAttribution a =
                TestModels.explain(TestModels.load("sparse_bag", 50), "{\"bag\": [], \"bag_1\": [], \"bag_2\": [8]}");
        assertEquals(Map.of(), ((NamedFeatures) a.attributions().get("terms")).features());
        assertEquals(a.baselineScore(), a.exampleScore(), 1e-6);
    }

    /** Metadata that does not fit the signature is refused at load, saying why. */
    @Test
    void metadataThatDoesNotFitTheSignatureIsRefused(@TempDir Path tmp) throws IOException {
        String original = Files.readString(TestModels.dir("sparse_bag").resolve("explanation_metadata.json"));
        Path metadata = tmp.resolve("explanation_metadata.json");
        Files.writeString(metadata, original.replace("\"serving_default_bag_2:0\"", "\"serving_default_bag_1:0\""));
        String swapped = assertThrows(
                        MetadataException.class,
                        () -> ModelLoader.load(
                                TestModels.options("sparse_bag", "explain.metadata.file", metadata.toString())))
                .getMessage();
        assertTrue(swapped.contains("three different tensors"), swapped);
        Files.writeString(
                metadata,
                original.replace("\"serving_default_bag:0\"", "\"serving_default_bag_2:0\"")
                        .replace(
                                "\"dense_shape_tensor_name\": \"serving_default_bag_2:0\"",
                                "\"dense_shape_tensor_name\": \"serving_default_bag:0\""));
        String ranks = assertThrows(
                        MetadataException.class,
                        () -> ModelLoader.load(
                                TestModels.options("sparse_bag", "explain.metadata.file", metadata.toString())))
                .getMessage();
        assertTrue(ranks.contains("must have rank"), ranks);
        Files.writeString(metadata, original.replace("\"serving_default_bag:0\"", "\"StatefulPartitionedCall:0\""));
        String internal = assertThrows(
                        MetadataException.class,
                        () -> ModelLoader.load(
                                TestModels.options("sparse_bag", "explain.metadata.file", metadata.toString())))
                .getMessage();
        assertTrue(internal.contains("must be inputs of the serving signature"), internal);
    }

    /** Sampled Shapley and predictions need no gradient; the description names the three request inputs. */
    @Test
    void describesTheThreeRequestInputs() {
        ModelDescription d = TestModels.load("sparse_bag", 50).description();
        ModelDescription.Input terms = d.inputs().get(0);
        assertEquals("bag_1", terms.requestInput());
        assertEquals("bag", terms.indicesRequestInput());
        assertEquals("bag_2", terms.denseShapeRequestInput());
        assertEquals("bag_of_features_sparse", terms.encoding());
        for (ModelDescription.RequestInput r : d.requestInputs()) {
            assertEquals("terms", r.explainedInput(), r.name());
        }
        Map<String, long[]> shapes = new java.util.HashMap<>();
        d.requestInputs().forEach(r -> shapes.put(r.name(), r.shape()));
        assertArrayEquals(new long[] {-1, 1}, shapes.get("bag"));
        assertArrayEquals(new long[] {-1}, shapes.get("bag_1"));
        assertArrayEquals(new long[] {1}, shapes.get("bag_2"));
        assertEquals(null, d.sampleInstance());
        assertEquals(
                AttributionMethod.INTEGRATED_GRADIENTS.runtimeName(), d.method().name());
    }

    static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
