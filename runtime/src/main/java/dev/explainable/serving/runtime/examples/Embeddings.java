package dev.explainable.serving.runtime.examples;

import java.util.Arrays;

/**
 * The example set's embeddings, prepared for their {@link Distance}, in one flat float array (no object per example):
 * n x dimensions floats, grown by doubling up to a bound fixed up front.
 */
public final class Embeddings {

    private final int dimensions;
    private final Distance distance;
    private final int maxCount;
    private float[] flat;
    private int count;

    public Embeddings(int dimensions, Distance distance, int maxCount) {
        if (dimensions < 1) {
            throw new IllegalArgumentException("dimensions " + dimensions);
        }
        this.dimensions = dimensions;
        this.distance = distance;
        this.maxCount = maxCount;
        this.flat = new float[dimensions * Math.min(maxCount, 1024)];
    }

    /** Adds {@code v} (of {@link #dimensions()} values) and returns its ordinal. */
    public int add(float[] v) {
        if (v.length != dimensions) {
            throw new IllegalArgumentException("an embedding of " + v.length + " values; the set's have " + dimensions);
        }
        if (count == maxCount) {
            throw new IllegalStateException("full: " + maxCount);
        }
        int need = (count + 1) * dimensions;
        if (need > flat.length) {
            long grown = Math.min((long) flat.length * 2, (long) maxCount * dimensions);
            flat = Arrays.copyOf(flat, (int) Math.max(grown, need));
        }
        System.arraycopy(distance.prepare(v), 0, flat, count * dimensions, dimensions);
        return count++;
    }

    /** Drops the room grown beyond what is held. */
    void trim() {
        if (flat.length != count * dimensions) {
            flat = Arrays.copyOf(flat, count * dimensions);
        }
    }

    public int size() {
        return count;
    }

    public int dimensions() {
        return dimensions;
    }

    public Distance distance() {
        return distance;
    }

    /** The prepared embedding at {@code ordinal} (a copy). */
    public float[] get(int ordinal) {
        return Arrays.copyOfRange(flat, ordinal * dimensions, (ordinal + 1) * dimensions);
    }

    /** The distance of a prepared {@code query} to the example at {@code ordinal}. */
    double distanceTo(float[] query, int ordinal) {
        return distance.between(query, flat, ordinal * dimensions);
    }

    /** Bytes the embeddings hold. */
    public long bytes() {
        return (long) flat.length * Float.BYTES;
    }
}
