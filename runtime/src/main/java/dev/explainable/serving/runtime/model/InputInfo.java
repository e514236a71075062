package dev.explainable.serving.runtime.model;

import dev.explainable.serving.runtime.metadata.ExplanationMetadata.InputMetadata;
import dev.explainable.serving.runtime.tensor.SparseSpec;
import dev.explainable.serving.runtime.tensor.TensorSpec;

/**
 * A metadata input as the model binds it, without TensorFlow handles: the tensor attributions are computed for (its
 * encoded tensor where it has one), the signature inputs it is fed from, and its metadata.
 *
 * @param spec the explained tensor's dtype and shape (float32), keyed by the metadata key
 * @param input the metadata's {@code input_tensor_name} as resolved: {@code spec}'s tensor without an embedding
 *     encoding, the ids the embedding looks up with one (its dtype null where the runtime has no name for it)
 * @param signatureKey the signature input that feeds the explained tensor directly, or null when it is computed inside
 *     the graph
 * @param requestKey the signature input the request's values for this input go to (its input_tensor_name), or
 *     null: requests may name it by the metadata key
 * @param sparse for a sparse input (the metadata names indices and a dense shape), its three signature inputs; the
 *     explained tensor is then the values, {@code spec}'s shape {@code [-1]} (one value per stored value); else null
 */
public record InputInfo(
        String key,
        TensorSpec spec,
        TensorSpec input,
        String signatureKey,
        String requestKey,
        InputMetadata metadata,
        SparseSpec sparse) {

    /** True when the explained tensor is fed directly by the request (not computed inside the graph). */
    public boolean isSignatureInput() {
        return signatureKey != null;
    }
}
