package dev.explainable.serving.runtime.tensor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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

/**
 * A dense tensor held in Java memory: dtype, shape and a flat row-major array ({@code float[]},
 * {@code double[]}, {@code int[]}, {@code long[]}, {@code boolean[]} or {@code byte[][]} for strings).
 * Native tensors are made from it only for the duration of one session run.
 */
public record HostTensor(DataType dtype, long[] shape, Object data) {

    public static HostTensor floats(long[] shape, float[] data) {
        return new HostTensor(DataType.DT_FLOAT, shape, data);
    }

    public int size() {
        return (int) elements(shape);
    }

    public float[] floats() {
        if (!(data instanceof float[] f)) {
            throw new IllegalStateException("tensor of " + dtype + " is not float32");
        }
        return f;
    }

    public static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Stacks same-shaped tensors along a new leading batch dimension. */
    public static HostTensor stack(List<HostTensor> items) {
        HostTensor first = items.get(0);
        for (HostTensor t : items) {
            if (!Arrays.equals(t.shape, first.shape)) {
                throw new IllegalArgumentException("instances have different shapes: " + Arrays.toString(first.shape)
                        + " and " + Arrays.toString(t.shape));
            }
        }
        long[] shape = new long[first.shape.length + 1];
        shape[0] = items.size();
        System.arraycopy(first.shape, 0, shape, 1, first.shape.length);
        int n = first.size();
        Object data = newArray(first.dtype, n * items.size());
        for (int i = 0; i < items.size(); i++) {
            System.arraycopy(items.get(i).data, 0, data, i * n, n);
        }
        return new HostTensor(first.dtype, shape, data);
    }

    /** Item {@code i} along the leading (batch) dimension. */
    public HostTensor item(int i) {
        long[] inner = Arrays.copyOfRange(shape, 1, shape.length);
        int n = (int) elements(inner);
        Object out = newArray(dtype, n);
        System.arraycopy(data, i * n, out, 0, n);
        return new HostTensor(dtype, inner, out);
    }

    private static Object newArray(DataType dtype, int n) {
        return switch (dtype) {
            case DT_FLOAT -> new float[n];
            case DT_DOUBLE -> new double[n];
            case DT_INT32 -> new int[n];
            case DT_INT64 -> new long[n];
            case DT_BOOL -> new boolean[n];
            case DT_STRING -> new byte[n][];
            default -> throw new IllegalArgumentException("unsupported dtype " + dtype);
        };
    }

    /** A native tensor with a copy of this data; the caller closes it. */
    public Tensor toTensor() {
        Shape s = Shape.of(shape);
        return switch (dtype) {
            case DT_FLOAT -> TFloat32.tensorOf(s, DataBuffers.of((float[]) data, true, false));
            case DT_DOUBLE -> TFloat64.tensorOf(s, DataBuffers.of((double[]) data, true, false));
            case DT_INT32 -> TInt32.tensorOf(s, DataBuffers.of((int[]) data, true, false));
            case DT_INT64 -> TInt64.tensorOf(s, DataBuffers.of((long[]) data, true, false));
            case DT_BOOL -> TBool.tensorOf(s, DataBuffers.of((boolean[]) data, true, false));
            case DT_STRING -> TString.tensorOfBytes(s, DataBuffers.of((byte[][]) data, true, false));
            default -> throw new IllegalArgumentException("unsupported dtype " + dtype);
        };
    }

    /** Copies a native tensor into Java memory. */
    public static HostTensor of(Tensor t) {
        long[] shape = t.shape().asArray();
        int n = (int) elements(shape);
        DataType dtype = t.dataType();
        Object data = newArray(dtype, n);
        switch (dtype) {
            case DT_FLOAT -> ((TFloat32) t).copyTo(DataBuffers.of((float[]) data, false, false));
            case DT_DOUBLE -> ((TFloat64) t).copyTo(DataBuffers.of((double[]) data, false, false));
            case DT_INT32 -> ((TInt32) t).copyTo(DataBuffers.of((int[]) data, false, false));
            case DT_INT64 -> ((TInt64) t).copyTo(DataBuffers.of((long[]) data, false, false));
            case DT_BOOL -> ((TBool) t).copyTo(DataBuffers.of((boolean[]) data, false, false));
            case DT_STRING -> {
                byte[][] out = (byte[][]) data;
                int[] i = {0};
                ((TString) t).asBytes().scalars().forEach(s -> out[i[0]++] = s.getObject());
            }
            default -> throw new IllegalArgumentException("unsupported output dtype " + dtype);
        }
        return new HostTensor(dtype, shape, data);
    }

    /** The tensor as JSON-ready nested lists (a bare value for a scalar). */
    public Object toJson() {
        return nest(0, 0);
    }

    private Object nest(int dim, int offset) {
        if (dim == shape.length) {
            return element(offset);
        }
        int stride = (int) elements(Arrays.copyOfRange(shape, dim + 1, shape.length));
        List<Object> list = new ArrayList<>((int) shape[dim]);
        for (int i = 0; i < shape[dim]; i++) {
            list.add(nest(dim + 1, offset + i * stride));
        }
        return list;
    }

    private Object element(int i) {
        return switch (dtype) {
            case DT_FLOAT -> (double) ((float[]) data)[i];
            case DT_DOUBLE -> ((double[]) data)[i];
            case DT_INT32 -> ((int[]) data)[i];
            case DT_INT64 -> ((long[]) data)[i];
            case DT_BOOL -> ((boolean[]) data)[i];
            case DT_STRING -> new String(((byte[][]) data)[i], StandardCharsets.UTF_8);
            default -> throw new IllegalStateException();
        };
    }

    /** Nested lists of doubles with the given shape, for attribution maps. */
    public static Object nestedDoubles(double[] values, long[] shape) {
        return new HostTensor(DataType.DT_DOUBLE, shape, values).toJson();
    }
}
