package dev.explainable.serving.runtime.explain.xrai;

import java.util.List;

/**
 * XRAI's region selection (saliency's "full" algorithm): repeatedly add the mask whose NEW pixels have the highest
 * mean attribution, dropping masks that would add fewer than {@code minPixelDiff} new pixels, and write that gain
 * into those pixels, until the covered area passes the threshold or no masks remain; uncovered pixels get their
 * own mean attribution.
 *
 * <p>Each mask's count and sum of not-yet-covered pixels is kept up to date as pixels get covered (through a
 * pixel -> masks index), so an iteration costs one pass over the masks instead of one over all their pixels.
 */
public final class XraiRegions {

    private XraiRegions() {}

    public static double[] rank(double[] attr, List<int[]> masks, int minPixelDiff, double areaThreshold) {
        int n = attr.length;
        int m = masks.size();
        int[] added = new int[m];
        double[] sum = new double[m];
        boolean[] alive = new boolean[m];
        int[] count = new int[n + 1];
        for (int k = 0; k < m; k++) {
            alive[k] = true;
            added[k] = masks.get(k).length;
            for (int p : masks.get(k)) {
                sum[k] += attr[p];
                count[p + 1]++;
            }
        }
        for (int p = 0; p < n; p++) {
            count[p + 1] += count[p];
        }
        int[] owners = new int[count[n]];
        int[] fill = count.clone();
        for (int k = 0; k < m; k++) {
            for (int p : masks.get(k)) {
                owners[fill[p]++] = k;
            }
        }

        double[] out = new double[n];
        boolean[] covered = new boolean[n];
        int coveredCount = 0;
        while ((double) coveredCount / n <= areaThreshold) {
            int best = -1;
            double bestGain = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < m; k++) {
                if (!alive[k]) {
                    continue;
                }
                if (added[k] < minPixelDiff) {
                    alive[k] = false; // dropped for good, as saliency does
                    continue;
                }
                double gain = sum[k] / added[k];
                if (gain > bestGain) {
                    bestGain = gain;
                    best = k;
                }
            }
            if (best < 0) {
                break;
            }
            alive[best] = false;
            for (int p : masks.get(best)) {
                if (covered[p]) {
                    continue;
                }
                covered[p] = true;
                coveredCount++;
                out[p] = bestGain;
                for (int o = count[p]; o < count[p + 1]; o++) {
                    added[owners[o]]--;
                    sum[owners[o]] -= attr[p];
                }
            }
        }
        double rest = 0;
        int restCount = 0;
        for (int p = 0; p < n; p++) {
            if (!covered[p]) {
                rest += attr[p];
                restCount++;
            }
        }
        if (restCount > 0) {
            double mean = rest / restCount;
            for (int p = 0; p < n; p++) {
                if (!covered[p]) {
                    out[p] = mean;
                }
            }
        }
        return out;
    }
}
