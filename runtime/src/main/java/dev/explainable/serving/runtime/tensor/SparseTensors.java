package dev.explainable.serving.runtime.tensor;

import java.util.Arrays;
import java.util.List;

import dev.explainable.serving.runtime.work.InvalidInstanceException;
import dev.explainable.serving.runtime.work.LimitExceededException;

/**
 * The checks and the batching of sparse inputs ({@link SparseSpec}). One instance holds its SparseTensor without
 * the batch dimension: values {@code [n]}, indices {@code [n, rank]}, dense shape {@code [rank]}. A batch puts the
 * instance's position in front of every index and of the dense shape, as {@code tf.sparse.concat} along a new first
 * axis would.
 */
public final class SparseTensors {

    private SparseTensors() {}

    /**
     * Checks one instance's triple and gives it back without the batch dimension. Accepted: the instance's own
     * SparseTensor ({@code rank} coordinates per value, {@code rank} sizes), or a batch of one as
     * {@code tf.sparse} builds it for a single example ({@code rank + 1} coordinates starting with 0, sizes starting
     * with 1). Refused with a client error: values and indices of different lengths, indices outside the dense
     * shape (so outside {@code index_feature_mapping}, whose size the last dimension must equal), indices out of
     * row-major order or repeated (TensorFlow's canonical order, what {@code tf.sparse.reorder} gives), and sizes
     * above {@code maxFreeDimension} (except the feature dimension, which the metadata fixes).
     *
     * @return values, indices and dense shape, in that order
     */
    public static HostTensor[] check(
            SparseSpec spec,
            HostTensor values,
            HostTensor indices,
            HostTensor denseShape,
            long maxFreeDimension,
            String where) {
        int rank = spec.rank();
        String sizes = rank + (rank == 1 ? " size" : " sizes");
        if (denseShape.shape().length != 1) {
            throw new InvalidInstanceException(where + ": '" + spec.denseShapeKey() + "' (the dense shape) must be a"
                    + " list of " + sizes + ", got shape " + Arrays.toString(denseShape.shape()));
        }
        long[] given = (long[]) denseShape.data();
        boolean batchOfOne;
        if (given.length == rank) {
            batchOfOne = false;
        } else if (given.length == rank + 1) {
            batchOfOne = true;
            if (given[0] != 1) {
                throw new InvalidInstanceException(where + ": '" + spec.denseShapeKey() + "' " + Arrays.toString(given)
                        + " has " + (rank + 1) + " sizes, a batch of one, but its first is " + given[0]
                        + "; send one instance's SparseTensor (" + sizes + ") per instance");
            }
        } else {
            throw new InvalidInstanceException(where + ": '" + spec.denseShapeKey() + "' " + Arrays.toString(given)
                    + " has " + given.length + " sizes; input '" + spec.key() + "' takes " + sizes
                    + " per instance (or " + (rank + 1) + " starting with 1, a batch of one)");
        }
        int width = given.length;
        long[] dims = Arrays.copyOfRange(given, batchOfOne ? 1 : 0, given.length);
        for (int d = 0; d < rank; d++) {
            boolean last = d == rank - 1;
            if (dims[d] < 1) {
                throw new InvalidInstanceException(where + ": '" + spec.denseShapeKey() + "' sizes must be at least"
                        + " 1, got " + Arrays.toString(given));
            }
            if (last && spec.features() >= 0) {
                if (dims[d] != spec.features()) {
                    throw new InvalidInstanceException(where + ": '" + spec.denseShapeKey() + "' "
                            + Arrays.toString(given) + " ends with " + dims[d] + ", but input '" + spec.key()
                            + "' has " + spec.features() + " features (its index_feature_mapping)");
                }
            } else if (dims[d] > maxFreeDimension) {
                throw new LimitExceededException(where + ": '" + spec.denseShapeKey() + "' " + Arrays.toString(given)
                        + " has a size above the limit of " + maxFreeDimension
                        + " (explain.limits.max-free-dimension)");
            }
        }
        long[] ishape = indices.shape();
        int n;
        if (ishape.length == 1 && ishape[0] == 0) {
            n = 0; // [] : no stored value
        } else if (ishape.length == 2 && ishape[1] == width) {
            n = (int) ishape[0];
        } else {
            throw new InvalidInstanceException(where + ": '" + spec.indicesKey() + "' (the indices) must be a list of "
                    + width + " coordinates per stored value, like its dense shape " + Arrays.toString(given)
                    + ", got shape " + Arrays.toString(ishape));
        }
        if (values.shape().length != 1) {
            throw new InvalidInstanceException(where + ": '" + spec.valuesKey() + "' (the values) must be a list of"
                    + " numbers, got shape " + Arrays.toString(values.shape()));
        }
        if (values.shape()[0] != n) {
            throw new InvalidInstanceException(where + ": input '" + spec.key() + "' has " + values.shape()[0]
                    + " values ('" + spec.valuesKey() + "') but " + n + " indices ('" + spec.indicesKey()
                    + "'); give one index per value");
        }
        long[] raw = (long[]) indices.data();
        long[] out = new long[n * rank];
        int skip = batchOfOne ? 1 : 0;
        for (int k = 0; k < n; k++) {
            if (batchOfOne && raw[k * width] != 0) {
                throw new InvalidInstanceException(where + ": index " + k + " of '" + spec.indicesKey() + "' is "
                        + Arrays.toString(Arrays.copyOfRange(raw, k * width, (k + 1) * width))
                        + "; in a batch of one every index starts with 0");
            }
            for (int d = 0; d < rank; d++) {
                long c = raw[k * width + skip + d];
                if (c < 0 || c >= dims[d]) {
                    boolean feature = d == rank - 1 && spec.features() >= 0;
                    throw new InvalidInstanceException(where + ": index " + k + " of '" + spec.indicesKey() + "', "
                            + Arrays.toString(Arrays.copyOfRange(raw, k * width, (k + 1) * width))
                            + ", is outside the dense shape " + Arrays.toString(given)
                            + (feature ? " (input '" + spec.key() + "' names " + spec.features() + " features)" : ""));
                }
                out[k * rank + d] = c;
            }
            if (k > 0 && compare(out, (k - 1) * rank, k * rank, rank) >= 0) {
                throw new InvalidInstanceException(where + ": the indices of '" + spec.indicesKey() + "' must be in"
                        + " row-major order without repeats (as tf.sparse.reorder gives them); index " + k + " "
                        + Arrays.toString(Arrays.copyOfRange(out, k * rank, (k + 1) * rank)) + " comes after "
                        + Arrays.toString(Arrays.copyOfRange(out, (k - 1) * rank, k * rank)));
            }
        }
        return new HostTensor[] {
            new HostTensor(values.dtype(), new long[] {n}, values.data()),
            new HostTensor(DType.INT64, new long[] {n, rank}, out),
            new HostTensor(DType.INT64, new long[] {rank}, dims)
        };
    }

    private static int compare(long[] a, int i, int j, int rank) {
        for (int d = 0; d < rank; d++) {
            int c = Long.compare(a[i + d], a[j + d]);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /**
     * The indices of a batch: each instance's indices ({@code [n_i, rank]}) behind its position in the batch, one
     * after the other ({@code [sum n_i, rank + 1]}), so still in row-major order.
     */
    public static HostTensor batchIndices(List<HostTensor> indices) {
        int rank = indices.isEmpty() ? 0 : (int) indices.get(0).shape()[1];
        int total = 0;
        for (HostTensor t : indices) {
            total += (int) t.shape()[0];
        }
        long[] out = new long[total * (rank + 1)];
        int o = 0;
        for (int row = 0; row < indices.size(); row++) {
            long[] in = (long[]) indices.get(row).data();
            int n = (int) indices.get(row).shape()[0];
            for (int k = 0; k < n; k++) {
                out[o++] = row;
                System.arraycopy(in, k * rank, out, o, rank);
                o += rank;
            }
        }
        return new HostTensor(DType.INT64, new long[] {total, rank + 1}, out);
    }

    /** The indices of {@code copies} copies of one instance (the points a method evaluates). */
    public static HostTensor repeatIndices(HostTensor indices, int copies) {
        return batchIndices(java.util.Collections.nCopies(copies, indices));
    }

    /** The dense shape of a batch of {@code rows} instances of the same dense shape. */
    public static HostTensor batchShape(HostTensor denseShape, int rows) {
        long[] dims = (long[]) denseShape.data();
        long[] out = new long[dims.length + 1];
        out[0] = rows;
        System.arraycopy(dims, 0, out, 1, dims.length);
        return new HostTensor(DType.INT64, new long[] {out.length}, out);
    }

    /** The values of a batch: each instance's, one after the other. */
    public static HostTensor concat(List<HostTensor> values) {
        DType dtype = values.get(0).dtype();
        int total = 0;
        for (HostTensor t : values) {
            total += t.size();
        }
        Object out = dtype.allocate(total);
        int o = 0;
        for (HostTensor t : values) {
            System.arraycopy(t.data(), 0, out, o, t.size());
            o += t.size();
        }
        return new HostTensor(dtype, new long[] {total}, out);
    }

    /** The last coordinate of each stored value: the feature it is, under {@code index_feature_mapping}. */
    public static long[] lastCoordinates(HostTensor indices) {
        int n = (int) indices.shape()[0];
        int rank = (int) indices.shape()[1];
        long[] in = (long[]) indices.data();
        long[] out = new long[n];
        for (int k = 0; k < n; k++) {
            out[k] = in[k * rank + rank - 1];
        }
        return out;
    }
}
