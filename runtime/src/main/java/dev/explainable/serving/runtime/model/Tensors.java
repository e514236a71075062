package dev.explainable.serving.runtime.model;

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

/** Host tensors to and from TensorFlow's native tensors: the one place that knows TensorFlow's dtypes. */
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
}
