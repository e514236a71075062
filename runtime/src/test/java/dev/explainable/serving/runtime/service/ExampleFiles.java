package dev.explainable.serving.runtime.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Example sets for embedding_classifier (8 features) written as JSONL: {"id": ..., "features": [...]}. */
public final class ExampleFiles {

    private ExampleFiles() {}

    /** {@code n} rows of seeded standard normal features, ids {@code ex-0}..; extra lines appended as given. */
    public static Path write(Path file, int n, long seed, String... extraLines) {
        Random random = new Random(seed);
        List<String> lines = new ArrayList<>(n + extraLines.length);
        for (int i = 0; i < n; i++) {
            lines.add(line("ex-" + i, row(random)));
        }
        lines.addAll(List.of(extraLines));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    public static float[] row(Random random) {
        float[] v = new float[8];
        for (int j = 0; j < v.length; j++) {
            v[j] = (float) random.nextGaussian();
        }
        return v;
    }

    public static String line(String id, float[] features) {
        StringBuilder b = new StringBuilder("{\"id\": \"").append(id).append("\", \"features\": [");
        for (int j = 0; j < features.length; j++) {
            b.append(j == 0 ? "" : ", ").append(features[j]);
        }
        return b.append("]}").toString();
    }
}
