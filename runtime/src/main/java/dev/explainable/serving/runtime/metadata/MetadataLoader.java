package dev.explainable.serving.runtime.metadata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import dev.explainable.serving.runtime.metadata.ExplanationMetadata.InputMetadata;
import dev.explainable.serving.runtime.metadata.ExplanationMetadata.OutputMetadata;

/**
 * Reads and validates {@code explanation_metadata.json} with AI Platform's rules; Vertex AI's camelCase
 * {@code ExplanationMetadata} is read too ({@link VertexMetadata}).
 */
public final class MetadataLoader {

    public static final String FILE_NAME = "explanation_metadata.json";
    /** AI Platform accepts at most 10 baselines per input. */
    public static final int MAX_BASELINES = 10;

    private static final Set<String> FRAMEWORKS = Set.of("tensorflow", "tensorflow2");
    private static final Set<String> MODALITIES = Set.of("numeric", "image", "text", "categorical", "structured");
    private static final Set<String> ENCODINGS = Set.of(
            "identity",
            "bag_of_features",
            "bag_of_features_sparse",
            "indicator",
            "combined_embedding",
            "concat_embedding");
    private static final Set<String> NEEDS_FEATURE_MAPPING =
            Set.of("bag_of_features", "bag_of_features_sparse", "indicator");

    /** Encodings whose attributions are computed on an embedding ({@code encoded_tensor_name}). */
    private static final Set<String> EMBEDDINGS = Set.of("combined_embedding", "concat_embedding");

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private MetadataLoader() {}

    public static ExplanationMetadata load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new MetadataException("explanation metadata file " + file + " does not exist");
        }
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new MetadataException("cannot read explanation metadata " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses and validates; every problem found is listed in one exception. */
    public static ExplanationMetadata parse(String json) {
        ExplanationMetadata metadata;
        try {
            JsonNode root = MAPPER.readTree(json);
            if (root != null && root.isObject() && VertexMetadata.isVertex(root)) {
                root = VertexMetadata.toAiPlatform(root);
            }
            metadata = root == null || root.isNull() ? null : MAPPER.treeToValue(root, ExplanationMetadata.class);
        } catch (UnrecognizedPropertyException e) {
            throw new MetadataException(
                    "invalid explanation metadata: unknown key '" + e.getPropertyName() + "' (known keys: "
                            + e.getKnownPropertyIds() + ")",
                    e);
        } catch (JsonProcessingException e) {
            throw new MetadataException("invalid explanation metadata: " + e.getOriginalMessage(), e);
        }
        if (metadata == null) {
            throw new MetadataException("invalid explanation metadata: empty document");
        }
        List<String> problems = validate(metadata);
        if (!problems.isEmpty()) {
            throw new MetadataException("invalid explanation metadata: " + String.join("; ", problems));
        }
        return metadata;
    }

    /** AI Platform's metadata rules; returns the problems, empty when valid. */
    public static List<String> validate(ExplanationMetadata m) {
        List<String> problems = new ArrayList<>();
        if (m.framework() == null || !FRAMEWORKS.contains(m.framework().toLowerCase(Locale.ROOT))) {
            problems.add("'framework' must be \"tensorflow\" (got " + quote(m.framework()) + ")");
        }
        if (m.inputs() == null || m.inputs().isEmpty()) {
            problems.add("'inputs' must name at least one input");
        } else {
            m.inputs().forEach((key, in) -> validateInput(key, in, problems));
        }
        if (m.outputs() == null || m.outputs().isEmpty()) {
            problems.add("'outputs' must name at least one output");
        } else {
            for (Map.Entry<String, OutputMetadata> e : m.outputs().entrySet()) {
                OutputMetadata out = e.getValue();
                if (out == null || isBlank(out.outputTensorName())) {
                    problems.add("output '" + e.getKey() + "' needs 'output_tensor_name'");
                }
            }
        }
        return problems;
    }

    private static void validateInput(String key, InputMetadata in, List<String> problems) {
        String where = "input '" + key + "'";
        if (in == null) {
            problems.add(where + " is empty");
            return;
        }
        if (isBlank(in.inputTensorName())) {
            problems.add(where + " needs 'input_tensor_name'");
        }
        if (in.inputBaselines() != null && in.encodedBaselines() != null) {
            problems.add(where + ": give only one of 'input_baselines' and 'encoded_baselines'");
        }
        if (in.inputBaselines() != null && in.inputBaselines().size() > MAX_BASELINES) {
            problems.add(where + ": at most " + MAX_BASELINES + " baselines (got "
                    + in.inputBaselines().size() + "; each element of 'input_baselines' is one baseline)");
        }
        if (in.inputBaselines() != null) {
            for (Object b : in.inputBaselines()) {
                if (!isNumericTree(b)) {
                    problems.add(
                            where + ": baselines must be numbers or nested lists of numbers, each finite in float32");
                    break;
                }
            }
        }
        if (in.modality() != null && !MODALITIES.contains(in.modality().toLowerCase(Locale.ROOT))) {
            problems.add(where + ": unknown modality " + quote(in.modality()) + " (one of " + MODALITIES + ")");
        }
        String encoding = in.encoding() == null ? "identity" : in.encoding().toLowerCase(Locale.ROOT);
        if (!ENCODINGS.contains(encoding)) {
            problems.add(where + ": unknown encoding " + quote(in.encoding()) + " (one of " + ENCODINGS + ")");
        }
        if (EMBEDDINGS.contains(encoding) && isBlank(in.encodedTensorName())) {
            problems.add(where + ": encoding " + encoding + " needs 'encoded_tensor_name' (the embedding's output, "
                    + "where attributions are computed)");
        }
        if (EMBEDDINGS.contains(encoding) && in.inputBaselines() != null) {
            problems.add(where + ": with encoding " + encoding + " give 'encoded_baselines' (in the embedding's "
                    + "space); 'input_baselines' of ids are not supported");
        }
        validateSparse(where, in, problems);
        if (in.encodedBaselines() != null) {
            if (isBlank(in.encodedTensorName())) {
                problems.add(where + ": 'encoded_baselines' needs 'encoded_tensor_name'");
            }
            if (in.encodedBaselines().size() > MAX_BASELINES) {
                problems.add(where + ": at most " + MAX_BASELINES + " encoded baselines (got "
                        + in.encodedBaselines().size() + ")");
            }
            if (!in.encodedBaselines().stream().allMatch(MetadataLoader::isNumericTree)) {
                problems.add(where
                        + ": encoded baselines must be numbers or nested lists of numbers, each finite in float32");
            }
        }
        if (NEEDS_FEATURE_MAPPING.contains(encoding)
                && (in.indexFeatureMapping() == null || in.indexFeatureMapping().isEmpty())) {
            problems.add(where + ": encoding " + encoding + " needs 'index_feature_mapping'");
        }
        if (in.indexFeatureMapping() != null
                && new HashSet<>(in.indexFeatureMapping()).size()
                        != in.indexFeatureMapping().size()) {
            problems.add(where + ": 'index_feature_mapping' has duplicate names");
        }
        if (in.domain() != null) {
            boolean min = in.domain().containsKey("min");
            boolean max = in.domain().containsKey("max");
            boolean mean = in.domain().containsKey("original_mean");
            boolean std = in.domain().containsKey("original_stddev");
            if (min != max || mean != std || (!min && !mean)) {
                problems.add(where + ": 'domain' needs min and max together, or original_mean and original_stddev");
            }
            if (min && max && in.domain().get("min") >= in.domain().get("max")) {
                problems.add(where + ": 'domain' min must be below max");
            }
        }
    }

    /**
     * A sparse input is TensorFlow's COO triple, as Google's metadata names it: {@code input_tensor_name} the values,
     * {@code indices_tensor_name} the indices, {@code dense_shape_tensor_name} the dense shape; both or neither of the
     * last two. The runtime attributes the float values themselves, so embedding encodings (attributions on an
     * encoded tensor) and images are refused, and a baseline is one number for every stored value.
     */
    private static void validateSparse(String where, InputMetadata in, List<String> problems) {
        boolean indices = !isBlank(in.indicesTensorName());
        boolean denseShape = !isBlank(in.denseShapeTensorName());
        if (indices != denseShape) {
            problems.add(where + ": a sparse input needs both 'indices_tensor_name' and 'dense_shape_tensor_name'"
                    + " (got only " + (indices ? "'indices_tensor_name'" : "'dense_shape_tensor_name'") + ")");
            return;
        }
        if (!indices) {
            return;
        }
        if (!isBlank(in.encodedTensorName()) || in.encodedBaselines() != null) {
            problems.add(where + ": sparse inputs with an encoded tensor ('encoded_tensor_name', 'encoded_baselines')"
                    + " are not supported; the runtime attributes the sparse values themselves");
        }
        if (in.isImage()) {
            problems.add(where + ": a sparse input cannot have modality image");
        }
        if (in.inputBaselines() != null && !in.inputBaselines().stream().allMatch(b -> b instanceof Number)) {
            problems.add(where + ": baselines of a sparse input are numbers (the value every stored value starts"
                    + " from); lists cannot fit instances that store different numbers of values");
        }
    }

    /** Numbers finite in float32 (the explained tensors' type), or nested lists of them. */
    private static boolean isNumericTree(Object o) {
        if (o instanceof Number n) {
            return Float.isFinite(n.floatValue());
        }
        if (o instanceof List<?> l) {
            return l.stream().allMatch(MetadataLoader::isNumericTree);
        }
        return false;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static String quote(String s) {
        return s == null ? "nothing" : "\"" + s + "\"";
    }
}
