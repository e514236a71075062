package dev.explainable.serving.runtime.explain.xrai;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The candidate regions of XRAI: Felzenszwalb segments at several scales, one dilated mask per segment. */
public final class XraiSegmenter {

    private XraiSegmenter() {}

    /** Masks as sorted pixel indices of an h x w image; duplicates removed. */
    public static List<int[]> masks(float[] image, int h, int w, int c, XraiParameters p) {
        float[] normalized = normalize(image);
        int s = p.segmentationSize();
        double[] resized = s > 0 ? SplineResize.resize(normalized, h, w, c, s, s) : toDouble(normalized);
        int sh = s > 0 ? s : h;
        int sw = s > 0 ? s : w;
        int[][] disk = disk(p.dilationRadius());
        Set<Pixels> seen = new LinkedHashSet<>();
        List<int[]> masks = new ArrayList<>();
        Felzenszwalb.Graph graph = Felzenszwalb.graph(resized, sh, sw, c, p.sigma()); // shared by every scale
        int[] stamp = new int[h * w];
        int generation = 0;
        for (double scale : p.scales()) {
            int[] seg = graph.segment(scale, p.minSegmentSize());
            int[] back = nearest(seg, sh, sw, h, w);
            int[][] byLabel = pixelsByLabel(back);
            for (int label = 0; label < byLabel.length; label++) {
                int[] pixels = dilate(byLabel[label], back, label, h, w, disk, stamp, ++generation);
                if (pixels.length > 0 && seen.add(new Pixels(pixels))) {
                    masks.add(pixels);
                }
            }
        }
        return masks;
    }

    /** A mask as a set key: segments of different scales often coincide. */
    private record Pixels(int[] indices) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Pixels p && java.util.Arrays.equals(indices, p.indices);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(indices);
        }
    }

    /** Min-max scaling to [-1, 1], as saliency's _normalize_image. */
    static float[] normalize(float[] image) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : image) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float range = max > min ? max - min : 1;
        float[] out = new float[image.length];
        for (int i = 0; i < image.length; i++) {
            out[i] = (image[i] - min) / range * 2f - 1f; // float32 arithmetic, as numpy does on float32 images
        }
        return out;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** Nearest-neighbour resize of a label image (skimage resize order 0). */
    static int[] nearest(int[] labels, int sh, int sw, int h, int w) {
        int[] out = new int[h * w];
        for (int y = 0; y < h; y++) {
            int sy = Math.min(sh - 1, (int) Math.floor((y + 0.5) * sh / h));
            for (int x = 0; x < w; x++) {
                int sx = Math.min(sw - 1, (int) Math.floor((x + 0.5) * sw / w));
                out[y * w + x] = labels[sy * sw + sx];
            }
        }
        return out;
    }

    /** Offsets of skimage's disk(r): x^2 + y^2 <= r^2. */
    static int[][] disk(int r) {
        List<int[]> offsets = new ArrayList<>();
        for (int dy = -r; dy <= r; dy++) {
            for (int dx = -r; dx <= r; dx++) {
                if (dx * dx + dy * dy <= r * r) {
                    offsets.add(new int[] {dy, dx});
                }
            }
        }
        return offsets.toArray(new int[0][]);
    }

    /** Pixel indices of each label, in increasing order. */
    static int[][] pixelsByLabel(int[] labels) {
        int count = 0;
        for (int l : labels) {
            count = Math.max(count, l + 1);
        }
        int[] sizes = new int[count];
        for (int l : labels) {
            sizes[l]++;
        }
        int[][] out = new int[count][];
        for (int l = 0; l < count; l++) {
            out[l] = new int[sizes[l]];
        }
        int[] fill = new int[count];
        for (int i = 0; i < labels.length; i++) {
            out[labels[i]][fill[labels[i]]++] = i;
        }
        return out;
    }

    /**
     * The segment ({@code labels == label}) dilated by the disk, as sorted pixel indices. Only boundary pixels
     * stamp their disk: the segment pixel nearest to any outside point is on the boundary. {@code stamp} is scratch
     * space shared across calls; a pixel belongs to this result when its stamp equals {@code generation}.
     */
    static int[] dilate(
            int[] segment, int[] labels, int label, int h, int w, int[][] disk, int[] stamp, int generation) {
        int minY = h;
        int maxY = -1;
        int minX = w;
        int maxX = -1;
        int n = 0;
        for (int p : segment) {
            int y = p / w;
            int x = p % w;
            if (stamp[p] != generation) {
                stamp[p] = generation;
                n++;
            }
            boolean interior = y > 0
                    && y < h - 1
                    && x > 0
                    && x < w - 1
                    && labels[p - 1] == label
                    && labels[p + 1] == label
                    && labels[p - w] == label
                    && labels[p + w] == label;
            if (interior) {
                continue;
            }
            minY = Math.min(minY, y);
            maxY = Math.max(maxY, y);
            minX = Math.min(minX, x);
            maxX = Math.max(maxX, x);
            for (int[] d : disk) {
                int ny = y + d[0];
                int nx = x + d[1];
                if (ny >= 0 && ny < h && nx >= 0 && nx < w) {
                    int q = ny * w + nx;
                    if (stamp[q] != generation) {
                        stamp[q] = generation;
                        n++;
                    }
                }
            }
        }
        // Every stamped pixel lies within the boundary pixels' box grown by the radius: scan it in row order,
        // which yields the indices sorted without a sort.
        int r = disk.length == 0 ? 0 : Math.abs(disk[0][0]);
        int[] out = new int[n];
        int j = 0;
        for (int y = Math.max(0, minY - r); y <= Math.min(h - 1, maxY + r) && j < n; y++) {
            for (int x = Math.max(0, minX - r); x <= Math.min(w - 1, maxX + r); x++) {
                if (stamp[y * w + x] == generation) {
                    out[j++] = y * w + x;
                }
            }
        }
        return out;
    }
}
