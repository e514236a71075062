package dev.explainable.serving.runtime.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A dense tensor held in Java memory: dtype, shape and a flat row-major array ({@code float[]},
 * {@code double[]}, {@code int[]}, {@code long[]}, {@code boolean[]} or {@code byte[][]} for strings).
 * Native tensors are made from it (in the model layer) only for the duration of one session run.
 */
public record HostTensor(DType dtype, long[] shape, Object data) {

    public static HostTensor floats(long[] shape, float[] data) {
        return new HostTensor(DType.FLOAT, shape, data);
    }

    public int size() {
        return (int) elements(shape);
    }

    public float[] floats() {
        if (!(data instanceof float[] f)) {
            throw new IllegalStateException("tensor of " + dtype.displayName() + " is not float32");
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
        Object data = first.dtype.allocate(n * items.size());
        for (int i = 0; i < items.size(); i++) {
            System.arraycopy(items.get(i).data, 0, data, i * n, n);
        }
        return new HostTensor(first.dtype, shape, data);
    }

    /** Joins tensors along their leading (batch) dimension; the other dimensions must agree. */
    public static HostTensor concat(List<HostTensor> parts) {
        HostTensor first = parts.get(0);
        long rows = 0;
        int size = 0;
        for (HostTensor t : parts) {
            if (t.dtype != first.dtype
                    || t.shape.length != first.shape.length
                    || t.shape.length == 0
                    || !Arrays.equals(t.shape, 1, t.shape.length, first.shape, 1, first.shape.length)) {
                throw new IllegalArgumentException("tensors of shapes " + Arrays.toString(first.shape) + " and "
                        + Arrays.toString(t.shape) + " cannot be joined");
            }
            rows += t.shape[0];
            size += t.size();
        }
        long[] shape = first.shape.clone();
        shape[0] = rows;
        Object data = first.dtype.allocate(size);
        int at = 0;
        for (HostTensor t : parts) {
            System.arraycopy(t.data, 0, data, at, t.size());
            at += t.size();
        }
        return new HostTensor(first.dtype, shape, data);
    }

    /** Rows {@code from} to {@code from + count} along the leading (batch) dimension. */
    public HostTensor rows(int from, int count) {
        long[] s = shape.clone();
        s[0] = count;
        int n = (int) elements(Arrays.copyOfRange(shape, 1, shape.length));
        Object out = dtype.allocate(n * count);
        System.arraycopy(data, from * n, out, 0, n * count);
        return new HostTensor(dtype, s, out);
    }

    /** Item {@code i} along the leading (batch) dimension. */
    public HostTensor item(int i) {
        long[] inner = Arrays.copyOfRange(shape, 1, shape.length);
        int n = (int) elements(inner);
        Object out = dtype.allocate(n);
        System.arraycopy(data, i * n, out, 0, n);
        return new HostTensor(dtype, inner, out);
    }

    /** The tensor as JSON-ready nested lists (a bare value for a scalar). */
    public Object toJson() {
        return nest(0, 0);
    }

    private Object nest(int dim, int offset) {
        if (dim == shape.length) {
            return dtype.jsonValue(data, offset);
        }
        int stride = (int) elements(Arrays.copyOfRange(shape, dim + 1, shape.length));
        List<Object> list = new ArrayList<>((int) shape[dim]);
        for (int i = 0; i < shape[dim]; i++) {
            list.add(nest(dim + 1, offset + i * stride));
        }
        return list;
    }

    /** Nested lists of doubles with the given shape, for attribution maps. */
    public static Object nestedDoubles(double[] values, long[] shape) {
        return new HostTensor(DType.DOUBLE, shape, values).toJson();
    }
}
