package dev.explainable.serving.runtime.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

class MetadataLoaderTest {

    static final String VALID = """
            {"inputs": {"data": {"input_tensor_name": "x:0", "input_baselines": [0.0, [1, 2]], "modality": "numeric"}},
             "outputs": {"y": {"output_tensor_name": "y:0", "index_name_mapping": ["a", "b"]}},
             "framework": "tensorflow"}""";

    @Test
    void parsesAiPlatformsSchema() {
        ExplanationMetadata m = MetadataLoader.parse(VALID);
        assertEquals("x:0", m.inputs().get("data").inputTensorName());
        assertEquals(2, m.inputs().get("data").inputBaselines().size());
        assertEquals("y:0", m.outputs().get("y").outputTensorName());
    }

    /** Committed model folders whose metadata is invalid on purpose, each with why; none today. */
    static final Map<String, String> INVALID_ON_PURPOSE = Map.of();

    /** Every folder under models/ with a metadata file, not a hand-kept list that misses new models. */
    @Test
    void everyCommittedTestModelHasValidMetadata() throws IOException {
        Path models = Path.of("src/test/resources/models");
        List<Path> files;
        try (Stream<Path> folders = Files.list(models)) {
            files = folders.map(folder -> folder.resolve(MetadataLoader.FILE_NAME))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
        }
        assertTrue(files.size() > 1, "found " + files + " under " + models.toAbsolutePath());
        for (Path file : files) {
            String model = file.getParent().getFileName().toString();
            if (INVALID_ON_PURPOSE.containsKey(model)) {
                assertThrows(MetadataException.class, () -> MetadataLoader.load(file), model + " is valid now");
                continue;
            }
            try {
                MetadataLoader.load(file);
            } catch (MetadataException e) {
                throw new AssertionError(model + ": " + e.getMessage(), e);
            }
        }
    }

    static String error(String json) {
        return assertThrows(MetadataException.class, () -> MetadataLoader.parse(json))
                .getMessage();
    }

    @Test
    void rejectsWhatAiPlatformRejects() {
        assertTrue(error(VALID.replace("\"framework\"", "\"frame_work\"")).contains("unknown key 'frame_work'"));
        assertTrue(error(VALID.replace("tensorflow", "pytorch")).contains("'framework' must be \"tensorflow\""));
        assertTrue(error(VALID.replace("\"input_tensor_name\": \"x:0\", ", "")).contains("needs 'input_tensor_name'"));
        assertTrue(
                error(VALID.replace("\"output_tensor_name\": \"y:0\", ", "")).contains("needs 'output_tensor_name'"));
        assertTrue(error(VALID.replace("numeric", "audio")).contains("unknown modality"));
        assertTrue(error(VALID.replace("[0.0, [1, 2]]", "[0,1,2,3,4,5,6,7,8,9,10]"))
                .contains("at most 10 baselines"));
        assertTrue(error(VALID.replace("[0.0, [1, 2]]", "[\"zero\"]")).contains("numbers or nested lists"));
        // as an instance's values: what is not a float32 would be fed as infinity
        assertTrue(error(VALID.replace("[0.0, [1, 2]]", "[0.0, [1, 1e39]]")).contains("each finite in float32"));
        assertTrue(error(VALID.replace("\"modality\": \"numeric\"", "\"encoding\": \"bag_of_features\""))
                .contains("needs 'index_feature_mapping'"));
        assertTrue(error(VALID.replace("\"modality\": \"numeric\"", "\"domain\": {\"min\": 0}"))
                .contains("min and max together"));
        assertTrue(error(VALID.replace("\"modality\": \"numeric\"", "\"encoded_baselines\": [0]"))
                .contains("only one of"));
        assertTrue(error("{\"inputs\": {}, \"outputs\": {}, \"framework\": \"tensorflow\"}")
                .contains("at least one input"));
        assertTrue(error("{not json").startsWith("invalid explanation metadata"));
    }

    @Test
    void listsEveryProblemAtOnce() {
        String msg = error("{\"inputs\": {\"a\": {}}, \"outputs\": {\"o\": {}}, \"framework\": \"tf\"}");
        assertTrue(
                msg.contains("'framework'") && msg.contains("input 'a' needs") && msg.contains("output 'o' needs"),
                msg);
    }

    /** Vertex AI's ExplanationMetadata (camelCase, upper-case enums) becomes the same internal model. */
    @Test
    void vertexFormatIsReadAsTheSameMetadata() {
        ExplanationMetadata m = MetadataLoader.parse("""
                {"inputs": {"image": {"inputTensorName": "x:0", "encoding": "IDENTITY", "modality": "image",
                   "inputBaselines": [0.0], "featureValueDomain": {"minValue": -1, "maxValue": 1},
                   "visualization": {"type": "PIXELS", "polarity": "BOTH", "colorMap": "VIRIDIS",
                     "clipPercentUpperbound": 99.5, "clipPercentLowerbound": 10, "overlayType": "GRAYSCALE"}},
                  "tokens": {"inputTensorName": "ids:0", "encoding": "CONCAT_EMBEDDING",
                   "encodedTensorName": "emb:0", "groupName": "text"}},
                 "outputs": {"y": {"outputTensorName": "y:0", "indexDisplayNameMapping": ["cat", "dog"]}},
                 "featureAttributionsSchemaUri": "gs://bucket/attributions.yaml"}""");
        ExplanationMetadata.InputMetadata image = m.inputs().get("image");
        assertEquals("x:0", image.inputTensorName());
        assertEquals("identity", image.encodingName());
        assertTrue(image.isImage());
        assertEquals(-1.0, image.domain().get("min"));
        assertEquals("pixels", image.visualization().get("type"));
        assertEquals("viridis", image.visualization().get("color_map"));
        assertEquals(99.5, ((Number) image.visualization().get("clip_above_percentile")).doubleValue());
        assertEquals("concat_embedding", m.inputs().get("tokens").encodingName());
        assertEquals("emb:0", m.inputs().get("tokens").encodedTensorName());
        assertEquals("text", m.inputs().get("tokens").groupName());
        assertEquals(java.util.List.of("cat", "dog"), m.outputs().get("y").indexNameMapping());
        assertEquals("tensorflow", m.framework());

        MetadataException e = assertThrows(MetadataException.class, () -> MetadataLoader.parse("""
                {"inputs": {"x": {"inputTensorName": "x:0", "colour": 1}},
                 "outputs": {"y": {"outputTensorName": "y:0", "displayNameMappingKey": "names"}}}"""));
        assertTrue(
                e.getMessage().contains("unknown key 'colour'")
                        && e.getMessage().contains("'displayNameMappingKey' is not supported"),
                e.getMessage());
    }

    /**
     * Sparse inputs as Google's metadata names them: the values as {@code input_tensor_name}, with the indices and the
     * dense shape; {@code bag_of_features_sparse} maps the indices' last coordinate to feature names.
     */
    @Test
    void sparseInputsNameTheirIndicesAndDenseShape() {
        String sparse = """
                {"inputs": {"terms": {"input_tensor_name": "v:0", "indices_tensor_name": "i:0",
                   "dense_shape_tensor_name": "s:0", "encoding": "bag_of_features_sparse",
                   "index_feature_mapping": ["a", "b"], "input_baselines": [0.0]}},
                 "outputs": {"y": {"output_tensor_name": "y:0"}}, "framework": "tensorflow"}""";
        ExplanationMetadata.InputMetadata in =
                MetadataLoader.parse(sparse).inputs().get("terms");
        assertTrue(in.isSparse());
        assertEquals("i:0", in.indicesTensorName());
        assertEquals("s:0", in.denseShapeTensorName());
        assertEquals("bag_of_features_sparse", in.encodingName());

        ExplanationMetadata.InputMetadata vertex =
                MetadataLoader.parse("""
                        {"inputs": {"terms": {"inputTensorName": "v:0", "indicesTensorName": "i:0",
                           "denseShapeTensorName": "s:0", "encoding": "BAG_OF_FEATURES_SPARSE",
                           "indexFeatureMapping": ["a", "b"]}},
                         "outputs": {"y": {"outputTensorName": "y:0"}}}""").inputs().get("terms");
        assertTrue(vertex.isSparse());
        assertEquals("s:0", vertex.denseShapeTensorName());
        assertEquals("bag_of_features_sparse", vertex.encodingName());
        assertTrue(error("""
                        {"inputs": {"x": {"inputTensorName": "x:0", "indicesTensorName": "i:0"}},
                         "outputs": {"y": {"outputTensorName": "y:0"}}}""").contains("needs both 'indices_tensor_name' and 'dense_shape_tensor_name'"));

        // bag_of_features_sparse on a dense tensor, as Google's SDK shows it (zeros are absent features)
        assertTrue(!MetadataLoader.parse(VALID.replace(
                        "\"modality\": \"numeric\"",
                        "\"encoding\": \"bag_of_features_sparse\", \"index_feature_mapping\": [\"a\"]"))
                .inputs()
                .get("data")
                .isSparse());

        assertTrue(error(sparse.replace("\"indices_tensor_name\": \"i:0\",", ""))
                .contains("needs both 'indices_tensor_name' and 'dense_shape_tensor_name'"));
        assertTrue(error(sparse.replace("\"index_feature_mapping\": [\"a\", \"b\"],", ""))
                .contains("needs 'index_feature_mapping'"));
        assertTrue(error(sparse.replace("[0.0]", "[[0.0, 1.0]]")).contains("baselines of a sparse input are numbers"));
        assertTrue(error(sparse.replace("\"input_baselines\": [0.0]", "\"modality\": \"image\""))
                .contains("cannot have modality image"));
        assertTrue(error(sparse.replace("\"input_baselines\": [0.0]", "\"encoded_tensor_name\": \"e:0\""))
                .contains("with an encoded tensor"));
    }
}
