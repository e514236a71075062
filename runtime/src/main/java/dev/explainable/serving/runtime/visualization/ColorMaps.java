package dev.explainable.serving.runtime.visualization;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** The three color maps: RGB for a signed strength in [-1, 1] (negative values only from polarity both/negative). */
final class ColorMaps {

    private static final int[][] VIRIDIS = load("/visualization/viridis.txt");

    private ColorMaps() {}

    /** Packed RGB of {@code strength} (0..1) with the sign of the attribution. */
    static int color(ColorMap map, double strength, boolean negative) {
        double v = Math.max(0, Math.min(1, strength));
        int level = (int) Math.round(255 * v);
        return switch (map) {
            case VIRIDIS -> rgb(VIRIDIS[level][0], VIRIDIS[level][1], VIRIDIS[level][2]);
            case RED_GREEN -> negative ? rgb(level, 0, 0) : rgb(0, level, 0);
            case PINK_GREEN -> negative ? rgb(level, 0, level) : rgb(0, level, 0);
        };
    }

    static int rgb(int r, int g, int b) {
        return (r << 16) | (g << 8) | b;
    }

    private static int[][] load(String resource) {
        int[][] table = new int[256][];
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(ColorMaps.class.getResourceAsStream(resource), StandardCharsets.UTF_8))) {
            int i = 0;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] p = line.trim().split("\\s+");
                table[i++] = new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])};
            }
            if (i != 256) {
                throw new IllegalStateException(resource + " has " + i + " entries, not 256");
            }
            return table;
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }
}
