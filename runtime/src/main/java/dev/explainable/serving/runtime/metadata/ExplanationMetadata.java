package dev.explainable.serving.runtime.metadata;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code explanation_metadata.json}, as AI Platform defines it. Unknown keys are rejected when parsing
 * (see {@link MetadataLoader}), as AI Platform does.
 *
 * @param latentSpaceSource Vertex's {@code latentSpaceSource} (this project's {@code latent_space_source} in AI
 *     Platform's format): the signature output whose values embed an instance for example-based explanations, or
 *     null
 */
public record ExplanationMetadata(
        Map<String, InputMetadata> inputs,
        Map<String, OutputMetadata> outputs,
        String framework,
        List<String> tags,
        @JsonProperty("preparer_version") String preparerVersion,
        @JsonProperty("serving_sigdef_key") String servingSigdefKey,
        @JsonProperty("sigdef_inputs") Map<String, Object> sigdefInputs,
        Object embeddings,
        @JsonProperty("latent_space_source") String latentSpaceSource) {

    public record InputMetadata(
            @JsonProperty("input_tensor_name") String inputTensorName,
            @JsonProperty("input_baselines") List<Object> inputBaselines,
            String modality,
            String encoding,
            @JsonProperty("index_feature_mapping") List<String> indexFeatureMapping,
            @JsonProperty("encoded_tensor_name") String encodedTensorName,
            @JsonProperty("encoded_baselines") List<Object> encodedBaselines,
            @JsonProperty("indices_tensor_name") String indicesTensorName,
            @JsonProperty("dense_shape_tensor_name") String denseShapeTensorName,
            Map<String, Double> domain,
            @JsonProperty("group_name") String groupName,
            Map<String, Object> visualization) {

        /** The encoding, lower case; {@code identity} when none is given. */
        public String encodingName() {
            return encoding == null ? "identity" : encoding.toLowerCase(java.util.Locale.ROOT);
        }

        /** The tensor attributions are computed on: the encoded tensor where there is one, else the input's. */
        public String explainedTensorName() {
            return encodedTensorName != null ? encodedTensorName : inputTensorName;
        }

        /** The baselines in the explained tensor's space. */
        public List<Object> explainedBaselines() {
            return encodedTensorName != null ? encodedBaselines : inputBaselines;
        }

        /**
         * True for a sparse input: a SparseTensor whose values are {@code input_tensor_name}, with
         * {@code indices_tensor_name} and {@code dense_shape_tensor_name} (TensorFlow's COO triple).
         */
        public boolean isSparse() {
            return indicesTensorName != null;
        }

        public boolean isImage() {
            return "image".equalsIgnoreCase(modality);
        }
    }

    public record OutputMetadata(
            @JsonProperty("output_tensor_name") String outputTensorName,
            @JsonProperty("index_name_mapping") List<String> indexNameMapping) {}
}
