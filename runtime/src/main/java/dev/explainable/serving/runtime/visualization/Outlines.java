package dev.explainable.serving.runtime.visualization;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Outlines of the strongest attribution regions, as Google's renderer draws them: binarize at > 0.001, fill
 * holes, label 8-connected components, keep the largest-sum components until they cover 90% of the total (at
 * most 3), erode once with a cross; the border is mask minus eroded mask, the interior is shaded at 0.3.
 */
final class Outlines {

    static final double THRESHOLD = 0.001;
    static final double COVERAGE = 0.9;
    static final int MAX_COMPONENTS = 3;
    static final double INTERIOR = 0.3;

    private Outlines() {}

    /** Per-pixel intensity: 1 on borders, {@link #INTERIOR} inside (when shading), 0 elsewhere. */
    static double[] intensity(double[] strength, int h, int w, boolean shadeInterior) {
        boolean[] mask = new boolean[h * w];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = strength[i] > THRESHOLD;
        }
        mask = fillHoles(mask, h, w);
        boolean[] kept = largestComponents(mask, strength, h, w);
        boolean[] eroded = erode(kept, h, w);
        double[] out = new double[h * w];
        for (int i = 0; i < out.length; i++) {
            if (kept[i] && !eroded[i]) {
                out[i] = 1;
            } else if (eroded[i] && shadeInterior) {
                out[i] = INTERIOR;
            }
        }
        return out;
    }

    /** Background = false pixels reachable from the image border (4-connected); everything else is filled. */
    static boolean[] fillHoles(boolean[] mask, int h, int w) {
        boolean[] outside = new boolean[mask.length];
        // a FIFO of pixel indices in one int array (each pixel enters at most once): no boxing per pixel
        int[] queue = new int[mask.length];
        int head = 0;
        int tail = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if ((y == 0 || x == 0 || y == h - 1 || x == w - 1) && !mask[y * w + x]) {
                    outside[y * w + x] = true;
                    queue[tail++] = y * w + x;
                }
            }
        }
        while (head < tail) {
            int p = queue[head++];
            int y = p / w;
            int x = p % w;
            // up, down, left, right
            if (y > 0) {
                tail = reach(p - w, mask, outside, queue, tail);
            }
            if (y < h - 1) {
                tail = reach(p + w, mask, outside, queue, tail);
            }
            if (x > 0) {
                tail = reach(p - 1, mask, outside, queue, tail);
            }
            if (x < w - 1) {
                tail = reach(p + 1, mask, outside, queue, tail);
            }
        }
        boolean[] filled = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++) {
            filled[i] = !outside[i];
        }
        return filled;
    }

    /** Marks background pixel {@code i} outside and queues it, unless it is masked or already reached. */
    private static int reach(int i, boolean[] mask, boolean[] outside, int[] queue, int tail) {
        if (!mask[i] && !outside[i]) {
            outside[i] = true;
            queue[tail++] = i;
        }
        return tail;
    }

    static boolean[] largestComponents(boolean[] mask, double[] strength, int h, int w) {
        int[] label = new int[mask.length];
        List<double[]> sums = new ArrayList<>(); // [label, sum]
        int next = 0;
        double total = 0;
        int[] queue = new int[mask.length]; // one component's FIFO, reused: each pixel is labelled once
        for (int start = 0; start < mask.length; start++) {
            if (!mask[start] || label[start] != 0) {
                continue;
            }
            next++;
            double sum = 0;
            int head = 0;
            int tail = 0;
            queue[tail++] = start;
            label[start] = next;
            while (head < tail) {
                int p = queue[head++];
                sum += strength[p];
                int y = p / w;
                int x = p % w;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int ny = y + dy;
                        int nx = x + dx;
                        if (ny >= 0 && ny < h && nx >= 0 && nx < w) {
                            int i = ny * w + nx;
                            if (mask[i] && label[i] == 0) {
                                label[i] = next;
                                queue[tail++] = i;
                            }
                        }
                    }
                }
            }
            sums.add(new double[] {next, sum});
            total += sum;
        }
        sums.sort(Comparator.comparingDouble((double[] s) -> -s[1]));
        boolean[] keep = new boolean[next + 1];
        double covered = 0;
        for (int i = 0; i < sums.size() && i < MAX_COMPONENTS && covered < COVERAGE * total; i++) {
            keep[(int) sums.get(i)[0]] = true;
            covered += sums.get(i)[1];
        }
        boolean[] out = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++) {
            out[i] = label[i] != 0 && keep[label[i]];
        }
        return out;
    }

    /** Binary erosion with a 3x3 cross; pixels outside the image count as background. */
    static boolean[] erode(boolean[] mask, int h, int w) {
        boolean[] out = new boolean[mask.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                out[i] = mask[i]
                        && y > 0
                        && mask[i - w]
                        && y < h - 1
                        && mask[i + w]
                        && x > 0
                        && mask[i - 1]
                        && x < w - 1
                        && mask[i + 1];
            }
        }
        return out;
    }
}
