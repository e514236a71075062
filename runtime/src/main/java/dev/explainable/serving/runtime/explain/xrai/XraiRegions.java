package dev.explainable.serving.runtime.explain.xrai;

import java.util.ArrayList;
import java.util.List;

/**
 * XRAI's region selection (saliency's "full" algorithm): repeatedly add the mask whose NEW pixels have the highest
 * mean attribution, skipping masks that add fewer than {@code minPixelDiff} new pixels, and write that gain into
 * those pixels, until the covered area passes the threshold or no masks remain; uncovered pixels get their own
 * mean attribution.
 */
public final class XraiRegions {

    private XraiRegions() {
    }

    public static double[] rank(double[] attr, List<int[]> masks, int minPixelDiff, double areaThreshold) {
        int n = attr.length;
        double[] out = new double[n];
        boolean[] assigned = new boolean[n];
        boolean[] current = new boolean[n];
        int covered = 0;
        List<int[]> remaining = new ArrayList<>(masks);
        while ((double) covered / n <= areaThreshold) {
            double bestGain = Double.NEGATIVE_INFINITY;
            int best = -1;
            List<int[]> keep = new ArrayList<>(remaining.size());
            for (int[] mask : remaining) {
                int added = 0;
                double sum = 0;
                for (int p : mask) {
                    if (!current[p]) {
                        added++;
                        sum += attr[p];
                    }
                }
                if (added < minPixelDiff) {
                    continue; // dropped for good, as saliency does
                }
                keep.add(mask);
                double gain = sum / added;
                if (gain > bestGain) {
                    bestGain = gain;
                    best = keep.size() - 1;
                }
            }
            remaining = keep;
            if (remaining.isEmpty()) {
                break;
            }
            int[] chosen = remaining.remove(best);
            for (int p : chosen) {
                if (!current[p]) {
                    current[p] = true;
                    assigned[p] = true;
                    out[p] = bestGain;
                    covered++;
                }
            }
        }
        double rest = 0;
        int restCount = 0;
        for (int p = 0; p < n; p++) {
            if (!assigned[p]) {
                rest += attr[p];
                restCount++;
            }
        }
        if (restCount > 0) {
            double mean = rest / restCount;
            for (int p = 0; p < n; p++) {
                if (!assigned[p]) {
                    out[p] = mean;
                }
            }
        }
        return out;
    }
}
