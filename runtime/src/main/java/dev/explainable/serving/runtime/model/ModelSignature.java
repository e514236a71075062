package dev.explainable.serving.runtime.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.explainable.serving.runtime.metadata.ExplanationMetadata;
import dev.explainable.serving.runtime.tensor.SparseSpec;
import dev.explainable.serving.runtime.tensor.TensorSpec;

/**
 * What a loaded model takes, answers and explains, by name, shape and dtype, without TensorFlow handles: the view of
 * the model the layers above {@code model} read (decoding, method checks, rendering, the model's description).
 *
 * @param signatureInputs the serving signature's inputs, shapes as one instance gives them (without the batch)
 * @param signatureOutputs the serving signature's outputs: key to tensor name
 * @param explainedInputs the metadata's inputs, in its order
 * @param explainedOutputs the metadata's outputs, in its order
 * @param metadata the explanation metadata in effect: the model's, or the one inferred from its signature
 * @param metadataInferred true when the model came without metadata and {@code metadata} was inferred
 */
public record ModelSignature(
        List<TensorSpec> signatureInputs,
        Map<String, String> signatureOutputs,
        List<InputInfo> explainedInputs,
        List<OutputInfo> explainedOutputs,
        ExplanationMetadata metadata,
        boolean metadataInferred) {

    public ModelSignature {
        signatureInputs = List.copyOf(signatureInputs);
        signatureOutputs = Collections.unmodifiableMap(new LinkedHashMap<>(signatureOutputs));
        explainedInputs = List.copyOf(explainedInputs);
        explainedOutputs = List.copyOf(explainedOutputs);
    }

    /** The sparse inputs, each three signature inputs (see {@link SparseSpec}). */
    public List<SparseSpec> sparseInputs() {
        return explainedInputs.stream()
                .map(InputInfo::sparse)
                .filter(Objects::nonNull)
                .toList();
    }

    /** The sparse input {@code signatureKey} is a part of, or null. */
    public SparseSpec sparsePart(String signatureKey) {
        for (SparseSpec s : sparseInputs()) {
            if (s.isPart(signatureKey)) {
                return s;
            }
        }
        return null;
    }
}
