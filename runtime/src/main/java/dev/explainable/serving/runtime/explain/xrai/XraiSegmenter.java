package dev.explainable.serving.runtime.explain.xrai;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The candidate regions of XRAI: Felzenszwalb segments at several scales, one dilated mask per segment. */
public final class XraiSegmenter {

    private XraiSegmenter() {
    }

    /** Masks as sorted pixel indices of an h x w image; duplicates removed. */
    public static List<int[]> masks(float[] image, int h, int w, int c, XraiParameters p) {
        float[] normalized = normalize(image);
        int s = p.segmentationSize();
        double[] resized = s > 0 ? SplineResize.resize(normalized, h, w, c, s, s) : toDouble(normalized);
        int sh = s > 0 ? s : h;
        int sw = s > 0 ? s : w;
        int[][] disk = disk(p.dilationRadius());
        Set<List<Integer>> seen = new LinkedHashSet<>();
        List<int[]> masks = new ArrayList<>();
        Felzenszwalb.Graph graph = Felzenszwalb.graph(resized, sh, sw, c, p.sigma()); // shared by every scale
        for (double scale : p.scales()) {
            int[] seg = graph.segment(scale, p.minSegmentSize());
            int[] back = nearest(seg, sh, sw, h, w);
            int labels = 0;
            for (int l : back) {
                labels = Math.max(labels, l + 1);
            }
            boolean[][] perLabel = new boolean[labels][h * w];
            for (int i = 0; i < back.length; i++) {
                perLabel[back[i]][i] = true;
            }
            for (boolean[] m : perLabel) {
                int[] pixels = indices(dilate(m, h, w, disk));
                if (pixels.length > 0 && seen.add(java.util.Arrays.stream(pixels).boxed().toList())) {
                    masks.add(pixels);
                }
            }
        }
        return masks;
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

    static boolean[] dilate(boolean[] mask, int h, int w, int[][] disk) {
        if (disk.length <= 1) {
            return mask;
        }
        boolean[] out = new boolean[mask.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (!mask[y * w + x]) {
                    continue;
                }
                for (int[] d : disk) {
                    int ny = y + d[0];
                    int nx = x + d[1];
                    if (ny >= 0 && ny < h && nx >= 0 && nx < w) {
                        out[ny * w + nx] = true;
                    }
                }
            }
        }
        return out;
    }

    static int[] indices(boolean[] mask) {
        int n = 0;
        for (boolean b : mask) {
            n += b ? 1 : 0;
        }
        int[] out = new int[n];
        int j = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                out[j++] = i;
            }
        }
        return out;
    }
}
