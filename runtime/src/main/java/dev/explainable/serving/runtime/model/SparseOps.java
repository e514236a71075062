package dev.explainable.serving.runtime.model;

import java.util.List;

import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;

/**
 * Differentiable copies of the two ops a sparse input's values usually flow through, whose gradients TensorFlow's C++
 * registry lacks (Python defines them in {@code sparse_grad.py}): {@code SparseTensorDenseMatMul}
 * ({@code tf.sparse.sparse_dense_matmul}, a Keras {@code Dense} on a SparseTensor) and {@code SparseToDense}
 * ({@code tf.sparse.to_dense}). {@link FunctionInliner} builds these instead when it copies a function body, from ops
 * that have C++ gradients ({@code GatherV2}, {@code UnsortedSegmentSum}, {@code ScatterNd}); the copy's final op takes
 * the original's name, so the tensor stays addressable. The same values for indices in TensorFlow's canonical order
 * (what the runtime accepts; {@code SparseToDense} itself refuses repeated indices, the copy would add them).
 *
 * <p>Why not custom gradients from Java: TensorFlow Java registers them in the process-wide C++ registry, but finds the
 * graph they are called for through a static map of the class loader that registered them first, so a second class
 * loader (Quarkus tests, dev-mode reloads) builds no gradient ("Graph not found").
 */
final class SparseOps {

    static final String MAT_MUL = "SparseTensorDenseMatMul";
    static final String TO_DENSE = "SparseToDense";

    private SparseOps() {}

    static boolean isSubstituted(String opType) {
        return MAT_MUL.equals(opType) || TO_DENSE.equals(opType);
    }

    /**
     * Builds the copy of {@code def} (inputs already resolved) with its final op named {@code name}; null when this
     * instance of the op is left as it is (a scalar value filling every index of a {@code SparseToDense}).
     */
    static GraphOperation substitute(Graph graph, NodeDef def, String name, List<Output<?>> inputs) {
        Ops tf = Ops.create(graph).withSubScope(InlinedNames.PREFIX.replace("/", "") + "_sparse");
        return switch (def.getOp()) {
            case MAT_MUL -> matMul(graph, tf, name, def, inputs);
            case TO_DENSE -> toDense(graph, tf, name, inputs);
            default -> null;
        };
    }

    /** The final op, built by name (a name with slashes, which {@link Ops#withName} refuses); types inferred. */
    private static GraphOperation named(Graph graph, String type, String name, Operand<?>... inputs) {
        var b = graph.opBuilder(type, name, graph.baseScope());
        for (Operand<?> in : inputs) {
            b.addInput(in.asOutput());
        }
        return b.build();
    }

    /**
     * {@code op(A) op(B)} with {@code A} sparse: row {@code r} of the product sums {@code value * row c of op(B)}
     * over the stored values at {@code (r, c)} of {@code op(A)} (gathered, scaled, summed per row).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static GraphOperation matMul(Graph graph, Ops tf, String name, NodeDef def, List<Output<?>> inputs) {
        Operand indices = inputs.get(0);
        Operand values = inputs.get(1);
        Operand shape = inputs.get(2);
        Operand b = inputs.get(3);
        boolean adjointA = attr(def, "adjoint_a");
        boolean adjointB = attr(def, "adjoint_b");
        boolean int64 = inputs.get(0).dataType() == DataType.DT_INT64;
        Operand first = column(tf, indices, 0, int64);
        Operand second = column(tf, indices, 1, int64);
        Operand rows = adjointA ? second : first;
        Operand cols = adjointA ? first : second;
        Operand rowCount = tf.gather(shape, tf.constant(adjointA ? 1 : 0), tf.constant(0));
        Operand rightHand = adjointB ? tf.linalg.transpose(b, tf.constant(new int[] {1, 0})) : b;
        Operand scaled = tf.math.mul(tf.expandDims(values, tf.constant(1)), tf.gather(rightHand, cols, tf.constant(0)));
        return named(graph, "UnsortedSegmentSum", name, scaled, rows, rowCount);
    }

    /** Column {@code c} of an {@code [n, 2]} index matrix, as {@code [n]}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Operand column(Ops tf, Operand indices, long c, boolean int64) {
        Operand begin = int64 ? tf.constant(new long[] {0, c}) : tf.constant(new int[] {0, (int) c});
        Operand size = int64 ? tf.constant(new long[] {-1, 1}) : tf.constant(new int[] {-1, 1});
        return tf.squeeze(tf.slice(indices, begin, size), Squeeze.axis(List.of(1L)));
    }

    /** {@code default} everywhere, the values at the indices: {@code ScatterNd(indices, values - default) + default}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static GraphOperation toDense(Graph graph, Ops tf, String name, List<Output<?>> inputs) {
        Output<?> values = inputs.get(2);
        if (values.shape().numDimensions() != 1) {
            return null; // a scalar broadcast to every index: rare (tf.sparse.to_dense passes one value per index)
        }
        Operand indices = inputs.get(0);
        Operand shape = inputs.get(1);
        Operand fill = inputs.get(3);
        // scalar, vector or matrix indices, each row a complete index into the output: [n, rank of the output]
        Operand rows = tf.concat(List.of(tf.constant(new int[] {-1}), tf.shape(shape)), tf.constant(0));
        Operand scattered = tf.scatterNd(tf.reshape(indices, rows), tf.math.sub((Operand) values, fill), shape);
        return named(graph, "AddV2", name, scattered, fill);
    }

    private static boolean attr(NodeDef def, String name) {
        AttrValue v = def.getAttrMap().get(name);
        return v != null && v.getB();
    }
}
