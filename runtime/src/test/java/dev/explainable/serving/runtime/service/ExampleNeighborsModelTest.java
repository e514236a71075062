package dev.explainable.serving.runtime.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.examples.ExampleSet;
import dev.explainable.serving.runtime.examples.Neighbor;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.tensor.HostTensor;
import dev.explainable.serving.runtime.work.InvalidRequestException;
import dev.explainable.serving.runtime.work.LimitExceededException;

/** Example-based explanations on a real SavedModel (embedding_classifier): its latent output, its set, its errors. */
class ExampleNeighborsModelTest {

    private static final String MODEL = "embedding_classifier";

    @TempDir
    Path dir;

    private static List<JsonNode> instances(JsonNode rows) {
        List<JsonNode> out = new ArrayList<>();
        rows.forEach(r -> out.add(TestModels.JSON.createObjectNode().set("features", r)));
        return out;
    }

    private LoadedModel load(Path examples, String... properties) {
        List<String> p = new ArrayList<>(List.of("explain.examples.uris", examples.toString()));
        p.addAll(List.of(properties));
        return ModelLoader.load(TestModels.options(MODEL, p.toArray(String[]::new)));
    }

    @Test
    void embeddingsAreTheLatentOutputKerasGivesAndEachExampleIsItsOwnNearest() throws IOException {
        JsonNode expected = TestModels.expected(MODEL);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < expected.get("instances").size(); i++) {
            lines.add("{\"id\": \"e" + i + "\", \"features\": "
                    + expected.get("instances").get(i) + "}");
        }
        Path set = Files.write(dir.resolve("set.jsonl"), lines);
        try (LoadedModel model = load(set)) {
            // returnEmbeddings answers the embeddings instead of neighbours (Vertex's rule); both from one decode
            java.util.Map<String, ExampleNeighbors.Answers> both = model.pipeline()
                    .neighbors(
                            instances(expected.get("instances")),
                            java.util.Map.of(
                                    "embeddings", new NeighborRequest(4, true, false),
                                    "neighbors", new NeighborRequest(4, false, false)));
            assertEquals(null, both.get("embeddings").neighbors());
            assertEquals(null, both.get("neighbors").embeddings());
            ExampleNeighbors.Answers a = new ExampleNeighbors.Answers(
                    both.get("neighbors").neighbors(),
                    both.get("embeddings").embeddings(),
                    both.get("neighbors").predictions());
            for (int i = 0; i < 4; i++) {
                float[] e = a.embeddings().get(i);
                JsonNode keras = expected.get("embeddings").get(i);
                assertEquals(keras.size(), e.length);
                for (int j = 0; j < e.length; j++) {
                    assertEquals(keras.get(j).asDouble(), e[j], 1e-5, "embedding " + i + "[" + j + "]");
                }
                Neighbor self = a.neighbors().get(i).get(0);
                assertEquals("e" + i, self.id());
                assertEquals(0, self.distance(), 1e-9);
                assertEquals(4, a.neighbors().get(i).size());
                HostTensor probs = a.predictions().get(i).get("probabilities");
                for (int j = 0; j < 3; j++) {
                    assertEquals(expected.get("probabilities").get(i).get(j).asDouble(), probs.floats()[j], 1e-5);
                }
            }
            // given as embeddings (dataFormat EMBEDDINGS), the same instances find the same neighbours
            List<JsonNode> embedded = new ArrayList<>();
            expected.get("embeddings").forEach(embedded::add);
            ExampleNeighbors.Answers direct = model.pipeline().neighbors(embedded, new NeighborRequest(4, false, true));
            for (int i = 0; i < 4; i++) {
                assertEquals(
                        a.neighbors().get(i).stream().map(Neighbor::id).toList(),
                        direct.neighbors().get(i).stream().map(Neighbor::id).toList());
            }
            assertEquals(List.of(), direct.predictions());
            assertEquals(null, direct.embeddings());
        }
    }

    @Test
    void badLinesAreReportedWithTheirLineAndTheRestIsServed() throws IOException {
        Path set = ExampleFiles.write(
                dir.resolve("set.jsonl"),
                50,
                1,
                "{not json",
                "{\"features\": [1, 2, 3, 4, 5, 6, 7, 8]}",
                "{\"id\": \"ex-3\", \"features\": [1, 2, 3, 4, 5, 6, 7, 8]}",
                "{\"id\": \"short\", \"features\": [1, 2, 3]}",
                "",
                "{\"id\": \"long\", \"features\": [" + "1.0, ".repeat(300) + "1.0]}",
                "{\"id\": \"last\", \"features\": [1, 2, 3, 4, 5, 6, 7, 8]}");
        try (LoadedModel model = load(set, "explain.examples.max-line-bytes", "1000")) {
            ExampleSet.Report r = model.pipeline().examples().set().report();
            assertEquals(51, r.examples());
            assertEquals(16, r.dimensions());
            assertEquals(5, r.badLines());
            List<String> bad = r.firstBadLines().stream().map(Object::toString).toList();
            String at = set.toString() + ":";
            assertTrue(bad.get(0).startsWith(at + "51: not JSON"), bad.toString());
            assertTrue(bad.get(1).startsWith(at + "52: no \"id\""), bad.toString());
            assertTrue(bad.get(2).startsWith(at + "54: not an instance of the model"), bad.toString());
            assertTrue(bad.get(3).startsWith(at + "56: longer than 1000 bytes"), bad.toString());
            assertEquals(at + "53: id 'ex-3' is given twice", bad.get(4), bad.toString());
            assertTrue(model.pipeline().examples().set().line("last") != null);
        }
    }

    @Test
    void aWrongLatentSourceFailsTheLoadNamingTheOutputs() throws IOException {
        ObjectNode metadata = (ObjectNode)
                TestModels.JSON.readTree(Files.readString(TestModels.dir(MODEL).resolve("explanation_metadata.json")));
        metadata.put("latentSpaceSource", "logits");
        Path file = Files.writeString(dir.resolve("metadata.json"), metadata.toString());
        Path set = ExampleFiles.write(dir.resolve("set.jsonl"), 5, 1);
        MetadataException e =
                assertThrows(MetadataException.class, () -> load(set, "explain.metadata.file", file.toString()));
        assertTrue(
                e.getMessage().contains("latentSpaceSource 'logits' names no output of the serving signature")
                        && e.getMessage().contains("[embedding, probabilities]"),
                e.getMessage());
    }

    /**
     * An LSTM over sequences of any length has no gradients (its loop cannot be unrolled: Integrated Gradients, the
     * default method, is refused at load). Explaining by example needs none: it loads, and a sequence's nearest example
     * is itself, whatever the lengths in the set. Its latent space here is its output, named by the metadata's name for
     * it (AI Platform's format, latent_space_source).
     */
    @Test
    void aModelWithoutGradientsExplainsByExample() throws IOException {
        String model = "recurrent_variable_length";
        ObjectNode metadata = (ObjectNode)
                TestModels.JSON.readTree(Files.readString(TestModels.dir(model).resolve("explanation_metadata.json")));
        metadata.put("latent_space_source", "probs");
        Path file = Files.writeString(dir.resolve("metadata.json"), metadata.toString());
        List<String> lines = new ArrayList<>();
        java.util.Random random = new java.util.Random(9);
        for (int i = 0; i < 40; i++) {
            StringBuilder steps = new StringBuilder("[");
            for (int t = 0; t < 2 + i % 4; t++) {
                steps.append(t == 0 ? "[" : ",[")
                        .append(random.nextGaussian())
                        .append(',')
                        .append(random.nextGaussian())
                        .append(',')
                        .append(random.nextGaussian())
                        .append(']');
            }
            lines.add("{\"id\": \"s" + i + "\", \"sequence\": " + steps.append(']') + "}");
        }
        Path set = Files.write(dir.resolve("set.jsonl"), lines);
        try (LoadedModel loaded = ModelLoader.load(TestModels.options(
                model, "explain.examples.uris", set.toString(), "explain.metadata.file", file.toString()))) {
            assertEquals(40, loaded.pipeline().examples().set().size());
            ObjectNode s7 = (ObjectNode) TestModels.JSON.readTree(lines.get(7));
            Neighbor nearest = loaded.pipeline()
                    .neighbors(List.of(s7.without("id")), new NeighborRequest(1, false, false))
                    .neighbors()
                    .get(0)
                    .get(0);
            assertEquals("s7", nearest.id());
            assertEquals(0, nearest.distance(), 1e-9);
        }
        // the same model explained by attributions with the default method fails to load, as it always did
        assertThrows(MetadataException.class, () -> ModelLoader.load(TestModels.options(model)));
    }

    @Test
    void anExampleSetForAModelWithoutALatentSpaceFailsTheLoad() {
        Path set = ExampleFiles.write(dir.resolve("set.jsonl"), 5, 1);
        MetadataException e = assertThrows(
                MetadataException.class,
                () -> ModelLoader.load(
                        TestModels.options("tabular_classifier", "explain.examples.uris", set.toString())));
        assertTrue(e.getMessage().contains("names no latentSpaceSource"), e.getMessage());
    }

    @Test
    void aSetOverItsBoundFailsTheLoadNamingTheSetting() {
        Path set = ExampleFiles.write(dir.resolve("set.jsonl"), 600, 1);
        MetadataException e =
                assertThrows(MetadataException.class, () -> load(set, "explain.examples.max-examples", "500"));
        assertTrue(e.getMessage().contains("explain.examples.max-examples"), e.getMessage());
        MetadataException missing = assertThrows(MetadataException.class, () -> load(dir.resolve("none-*.jsonl")));
        assertTrue(missing.getMessage().contains("no object matches"), missing.getMessage());
    }

    @Test
    void hostileRequestsAreRefusedBeforeAnyWork() {
        Path set = ExampleFiles.write(dir.resolve("set.jsonl"), 20, 1);
        try (LoadedModel model = load(set)) {
            ExplanationPipeline p = model.pipeline();
            List<JsonNode> one = instances(TestModels.JSON
                    .createArrayNode()
                    .add(TestModels.JSON.valueToTree(new float[] {1, 2, 3, 4, 5, 6, 7, 8})));
            InvalidRequestException many = assertThrows(
                    InvalidRequestException.class,
                    () -> p.neighbors(one, new NeighborRequest(1_000_000_000, false, false)));
            assertTrue(many.getMessage().contains("1 to 100"), many.getMessage());
            List<JsonNode> wrongSize = List.of(TestModels.JSON.valueToTree(new float[] {1, 2}));
            InvalidRequestException size = assertThrows(
                    InvalidRequestException.class, () -> p.neighbors(wrongSize, new NeighborRequest(3, false, true)));
            assertTrue(size.getMessage().contains("a list of 16 numbers"), size.getMessage());
            List<JsonNode> tooMany = new ArrayList<>();
            for (int i = 0; i < 33; i++) {
                tooMany.add(one.get(0));
            }
            assertThrows(LimitExceededException.class, () -> p.neighbors(tooMany, NeighborRequest.NONE));
            // a latent output that is not finite (inputs out of the model's range), or of another size than the
            // set's (a free dimension): the instance is refused, not searched
            float[] nan = new float[16];
            java.util.Arrays.fill(nan, Float.NaN);
            InvalidRequestException notFinite = assertThrows(
                    InvalidRequestException.class,
                    () -> p.examples()
                            .embed(
                                    one,
                                    List.of(Map.of()),
                                    d -> List.of(Map.of("embedding", HostTensor.floats(new long[] {16}, nan))),
                                    false));
            assertTrue(notFinite.getMessage().contains("instances[0]: its embedding"), notFinite.getMessage());
            assertTrue(notFinite.getMessage().contains("not finite"), notFinite.getMessage());
            InvalidRequestException otherSize = assertThrows(
                    InvalidRequestException.class,
                    () -> p.examples()
                            .embed(
                                    one,
                                    List.of(Map.of()),
                                    d -> List.of(Map.of("embedding", HostTensor.floats(new long[] {3}, new float[3]))),
                                    false));
            assertTrue(
                    otherSize.getMessage().contains("has 3 values, the example set's have 16"), otherSize.getMessage());
            // 20 examples: ten neighbours each, the default
            assertEquals(
                    10,
                    p.neighbors(one, NeighborRequest.NONE).neighbors().get(0).size());
            assertEquals(
                    20,
                    p.neighbors(one, new NeighborRequest(100, false, false))
                            .neighbors()
                            .get(0)
                            .size());
        }
    }

    @Test
    void aModelWithoutAnExampleSetRefusesNeighbourRequests() {
        LoadedModel model = TestModels.load("tabular_classifier", 10);
        InvalidRequestException e = assertThrows(
                InvalidRequestException.class, () -> model.pipeline().neighbors(List.of(), NeighborRequest.NONE));
        assertTrue(e.getMessage().contains("no example set"), e.getMessage());
        assertEquals(null, model.pipeline().examples());
        assertEquals(Map.of(), Map.of());
    }
}
