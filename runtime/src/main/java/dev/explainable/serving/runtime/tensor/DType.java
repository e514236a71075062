package dev.explainable.serving.runtime.tensor;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The element types the runtime feeds and reads, and the one place that knows each one's Java representation: a
 * flat row-major {@code float[]}, {@code double[]}, {@code int[]}, {@code long[]}, {@code boolean[]} or
 * {@code byte[][]} (strings). TensorFlow's names for them are mapped in the model layer.
 */
public enum DType {
    FLOAT,
    DOUBLE,
    INT32,
    INT64,
    BOOL,
    STRING;

    /** A zero-filled array of {@code n} elements (empty strings for STRING). */
    public Object allocate(int n) {
        return switch (this) {
            case FLOAT -> new float[n];
            case DOUBLE -> new double[n];
            case INT32 -> new int[n];
            case INT64 -> new long[n];
            case BOOL -> new boolean[n];
            case STRING -> {
                byte[][] b = new byte[n][];
                Arrays.fill(b, new byte[0]);
                yield b;
            }
        };
    }

    /** Element {@code i} of {@code data} as a JSON-ready Java value (a float is widened to double). */
    public Object jsonValue(Object data, int i) {
        return switch (this) {
            case FLOAT -> (double) ((float[]) data)[i];
            case DOUBLE -> ((double[]) data)[i];
            case INT32 -> ((int[]) data)[i];
            case INT64 -> ((long[]) data)[i];
            case BOOL -> ((boolean[]) data)[i];
            case STRING -> new String(((byte[][]) data)[i], StandardCharsets.UTF_8);
        };
    }

    /** Element {@code i} as a number (to rank output scores); NaN for strings, 0/1 for booleans. */
    public double numberAt(Object data, int i) {
        return switch (this) {
            case FLOAT -> ((float[]) data)[i];
            case DOUBLE -> ((double[]) data)[i];
            case INT32 -> ((int[]) data)[i];
            case INT64 -> ((long[]) data)[i];
            case BOOL -> ((boolean[]) data)[i] ? 1 : 0;
            case STRING -> Double.NaN;
        };
    }

    /** True when the type is numeric (a score can be read from it). */
    public boolean isNumeric() {
        return this != STRING;
    }

    /** The name Python and TensorFlow users know (float32, int64, ...). */
    public String displayName() {
        return switch (this) {
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            case INT32 -> "int32";
            case INT64 -> "int64";
            case BOOL -> "bool";
            case STRING -> "string";
        };
    }
}
