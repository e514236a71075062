package dev.explainable.serving.runtime.model;

import java.util.Arrays;
import java.util.Optional;

import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

import dev.explainable.serving.runtime.tensor.DType;
import dev.explainable.serving.runtime.tensor.HostTensor;

/**
 * Host tensors to and from TensorFlow's native tensors: the one place that knows TensorFlow's dtypes. Also how the
 * runtime reads TensorFlow's tensor names, shapes and error messages.
 */
final class Tensors {

    private Tensors() {}

    /** The runtime's dtype for a TensorFlow dtype, or empty when the runtime cannot feed or read it. */
    static Optional<DType> dtype(DataType t) {
        return Optional.ofNullable(
                switch (t) {
                    case DT_FLOAT -> DType.FLOAT;
                    case DT_DOUBLE -> DType.DOUBLE;
                    case DT_INT32 -> DType.INT32;
                    case DT_INT64 -> DType.INT64;
                    case DT_BOOL -> DType.BOOL;
                    case DT_STRING -> DType.STRING;
                    default -> null;
                });
    }

    /** A native tensor with a copy of the data; the caller closes it. */
    static Tensor toTensor(HostTensor t) {
        Shape s = Shape.of(t.shape());
        Object data = t.data();
        return switch (t.dtype()) {
            case FLOAT -> TFloat32.tensorOf(s, DataBuffers.of((float[]) data, true, false));
            case DOUBLE -> TFloat64.tensorOf(s, DataBuffers.of((double[]) data, true, false));
            case INT32 -> TInt32.tensorOf(s, DataBuffers.of((int[]) data, true, false));
            case INT64 -> TInt64.tensorOf(s, DataBuffers.of((long[]) data, true, false));
            case BOOL -> TBool.tensorOf(s, DataBuffers.of((boolean[]) data, true, false));
            case STRING -> TString.tensorOfBytes(s, DataBuffers.of((byte[][]) data, true, false));
        };
    }

    /** Copies a native tensor into Java memory. */
    static HostTensor toHost(Tensor t) {
        long[] shape = t.shape().asArray();
        int n = (int) HostTensor.elements(shape);
        DType dtype = dtype(t.dataType())
                .orElseThrow(() -> new IllegalArgumentException(
                        "the model returned a tensor of " + t.dataType() + ", which the runtime cannot read"));
        Object data = dtype.allocate(n);
        switch (dtype) {
            case FLOAT -> ((TFloat32) t).copyTo(DataBuffers.of((float[]) data, false, false));
            case DOUBLE -> ((TFloat64) t).copyTo(DataBuffers.of((double[]) data, false, false));
            case INT32 -> ((TInt32) t).copyTo(DataBuffers.of((int[]) data, false, false));
            case INT64 -> ((TInt64) t).copyTo(DataBuffers.of((long[]) data, false, false));
            case BOOL -> ((TBool) t).copyTo(DataBuffers.of((boolean[]) data, false, false));
            case STRING -> {
                byte[][] out = (byte[][]) data;
                int[] i = {0};
                ((TString) t).asBytes().scalars().forEach(s -> out[i[0]++] = s.getObject());
            }
        }
        return new HostTensor(dtype, shape, data);
    }

    /** The shape without its leading batch dimension; null when the rank is unknown. */
    static long[] withoutBatch(Shape s) {
        if (s == null || s.isUnknown() || s.numDimensions() < 1) {
            return s != null && s.isScalar() ? new long[0] : null;
        }
        long[] a = s.asArray();
        return Arrays.copyOfRange(a, 1, a.length);
    }

    /** True when two tensor names name the same tensor ({@code op} is {@code op:0}). */
    static boolean sameTensor(String a, String b) {
        return withIndex(a).equals(withIndex(b));
    }

    /** The tensor name with its output index ({@code op:0} for {@code op}). */
    static String withIndex(String n) {
        return n.contains(":") ? n : n + ":0";
    }

    /** TensorFlow's message without the node names and graph excerpts it appends. */
    static String firstLine(String message) {
        if (message == null || message.isBlank()) {
            return "invalid argument";
        }
        String line = message.strip().lines().findFirst().orElse("");
        int node = line.indexOf("[[");
        if (node >= 0) {
            line = line.substring(0, node);
        }
        line = line.replaceAll("\\{\\{[^}]*\\}\\}", "").replaceAll("\\s+", " ").strip();
        if (line.endsWith(".") || line.endsWith(";") || line.endsWith(",")) {
            line = line.substring(0, line.length() - 1);
        }
        return line.length() > 300 ? line.substring(0, 297) + "..." : line;
    }
}
