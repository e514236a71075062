package dev.explainable.serving.runtime.examples;

import java.util.Locale;

/**
 * How far apart two embeddings are, as Vertex's presets imply: squared Euclidean distance (tabular examples; Vertex's
 * {@code SQUARED_L2_DISTANCE}), or cosine distance, 1 - cos (image and text examples, whose embeddings compare by
 * direction). Cosine embeddings are stored unit length ({@link #prepare}), so that their distance is 1 - dot.
 */
public enum Distance {
    SQUARED_L2("squared-l2"),
    COSINE("cosine");

    private final String settingName;

    Distance(String settingName) {
        this.settingName = settingName;
    }

    /** The name in {@code explain.examples.distance}. */
    public String settingName() {
        return settingName;
    }

    public static Distance of(String name) {
        for (Distance d : values()) {
            if (d.settingName.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown distance '" + name + "' (squared-l2 or cosine)");
    }

    /** {@code v} as stored and queried: unit length for cosine (a zero vector stays zero), as is otherwise. */
    public float[] prepare(float[] v) {
        if (this != COSINE) {
            return v;
        }
        double norm = 0;
        for (float x : v) {
            norm += (double) x * x;
        }
        if (norm == 0) {
            return v.clone();
        }
        float scale = (float) (1 / Math.sqrt(norm));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * scale;
        }
        return out;
    }

    /** The distance of a prepared query to the prepared vector at {@code offset} of {@code flat}. */
    double between(float[] query, float[] flat, int offset) {
        double sum = 0;
        if (this == SQUARED_L2) {
            for (int i = 0; i < query.length; i++) {
                double d = (double) query[i] - flat[offset + i];
                sum += d * d;
            }
            return sum;
        }
        for (int i = 0; i < query.length; i++) {
            sum += (double) query[i] * flat[offset + i];
        }
        return 1 - sum;
    }
}
