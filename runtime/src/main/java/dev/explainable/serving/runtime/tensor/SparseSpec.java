package dev.explainable.serving.runtime.tensor;

/**
 * A sparse input of the serving signature: TensorFlow's COO triple (values, indices, dense shape) as three
 * signature inputs, which is how TensorFlow 2 exports a {@code tf.SparseTensorSpec} argument {@code x}: {@code x}
 * (indices, int64 {@code [None, rank]}), {@code x_1} (values, {@code [None]}) and {@code x_2} (dense shape, int64
 * {@code [rank]}). A request gives each instance its own SparseTensor without the batch dimension, as every other
 * input leaves it out: values {@code [n]}, indices {@code [n, rank]} and dense shape {@code [rank]}, where
 * {@code rank} is the dense tensor's rank without the batch dimension (see {@link SparseTensors}).
 *
 * @param key the metadata input key (named in error messages)
 * @param valuesKey the signature input of the values (float32)
 * @param indicesKey the signature input of the indices (int64)
 * @param denseShapeKey the signature input of the dense shape (int64)
 * @param rank coordinates per stored value, without the batch dimension's (at least 1)
 * @param features the size of the input's {@code index_feature_mapping}, which the last dimension of the dense shape
 *     must equal; -1 without one
 */
public record SparseSpec(
        String key, String valuesKey, String indicesKey, String denseShapeKey, int rank, int features) {

    public SparseSpec {
        if (rank < 1) {
            throw new IllegalArgumentException("a sparse input has at least one dimension besides the batch's");
        }
    }

    /** True when {@code signatureKey} is one of the triple's signature inputs. */
    public boolean isPart(String signatureKey) {
        return signatureKey.equals(valuesKey) || signatureKey.equals(indicesKey) || signatureKey.equals(denseShapeKey);
    }
}
