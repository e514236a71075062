package dev.explainable.serving.runtime.visualization;

import java.util.Arrays;

/** Small pure functions over per-pixel maps (row-major, height x width). */
final class PixelMaps {

    private PixelMaps() {}

    /** Sum over the channels of an attribution tensor [h, w, c] (or [h, w]) per pixel. */
    static double[] sumChannels(double[] attributions, int pixels) {
        int channels = attributions.length / pixels;
        double[] out = new double[pixels];
        for (int p = 0; p < pixels; p++) {
            for (int c = 0; c < channels; c++) {
                out[p] += attributions[p * channels + c];
            }
        }
        return out;
    }

    /** numpy.percentile with linear interpolation. */
    static double percentile(double[] values, double q) {
        double[] s = values.clone();
        Arrays.sort(s);
        return percentileOfSorted(s, q);
    }

    /** {@link #percentile} of values already sorted ascending. */
    static double percentileOfSorted(double[] s, double q) {
        double pos = q / 100.0 * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }

    /** The part of one sign (as magnitudes), clipped at the percentiles and scaled to [0, 1]. */
    static double[] normalized(double[] values, boolean negative, double clipBelow, double clipAbove) {
        double[] part = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            part[i] = Math.max(0, negative ? -values[i] : values[i]);
        }
        double[] sorted = part.clone(); // sorted once for both percentiles: the renderer's costliest step
        Arrays.sort(sorted);
        double low = percentileOfSorted(sorted, clipBelow);
        double high = percentileOfSorted(sorted, clipAbove);
        double[] out = new double[values.length];
        for (int i = 0; i < part.length; i++) {
            if (high > low) {
                out[i] = Math.max(0, Math.min(1, (part[i] - low) / (high - low)));
            } else {
                out[i] = part[i] > low ? 1 : 0;
            }
        }
        return out;
    }

    /** Separable Gaussian blur (edges clamped). */
    static double[] blur(double[] map, int h, int w, double sigma) {
        if (sigma <= 0) {
            return map;
        }
        int r = (int) Math.ceil(3 * sigma);
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            k[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
            sum += k[i + r];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        double[] tmp = new double[map.length];
        double[] out = new double[map.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double acc = 0;
                for (int i = -r; i <= r; i++) {
                    acc += k[i + r] * map[y * w + Math.min(w - 1, Math.max(0, x + i))];
                }
                tmp[y * w + x] = acc;
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double acc = 0;
                for (int i = -r; i <= r; i++) {
                    acc += k[i + r] * tmp[Math.min(h - 1, Math.max(0, y + i)) * w + x];
                }
                out[y * w + x] = acc;
            }
        }
        return out;
    }
}
