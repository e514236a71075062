package dev.explainable.serving.runtime.explain.xrai;

/**
 * Cubic B-spline resize, as scikit-image's {@code resize(order=3, mode='constant')} does it through
 * {@code scipy.ndimage.zoom(grid_mode=True, mode='grid-constant')}: the signal is padded with 12 zeros, turned
 * into B-spline coefficients by the recursive prefilter (pole sqrt(3) - 2), and the spline is sampled at the
 * output pixel centres. XRAI's segments depend on this interpolation: bilinear resizing changes the regions
 * enough to halve the overlap with PAIR saliency's result.
 */
public final class SplineResize {

    private static final int PAD = 12;
    private static final double POLE = Math.sqrt(3) - 2;

    private SplineResize() {}

    /**
     * [h, w, c] -> [outH, outW, c], in double precision as scikit-image computes it, clipped to the input's
     * value range (its {@code clip=True} default: cubic splines overshoot at edges).
     */
    public static double[] resize(float[] src, int h, int w, int c, int outH, int outW) {
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (float v : src) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double[] rows = new double[outH * w * c];
        double[] line = new double[h];
        for (int x = 0; x < w; x++) {
            for (int k = 0; k < c; k++) {
                for (int y = 0; y < h; y++) {
                    line[y] = src[(y * w + x) * c + k];
                }
                double[] r = resample(line, outH);
                for (int y = 0; y < outH; y++) {
                    rows[(y * w + x) * c + k] = r[y];
                }
            }
        }
        double[] out = new double[outH * outW * c];
        double[] row = new double[w];
        for (int y = 0; y < outH; y++) {
            for (int k = 0; k < c; k++) {
                for (int x = 0; x < w; x++) {
                    row[x] = rows[(y * w + x) * c + k];
                }
                double[] r = resample(row, outW);
                for (int x = 0; x < outW; x++) {
                    out[(y * outW + x) * c + k] = Math.max(min, Math.min(max, r[x]));
                }
            }
        }
        return out;
    }

    /** One axis: pad, prefilter, sample at {@code (i + 0.5) * n / m - 0.5}. */
    static double[] resample(double[] signal, int m) {
        int n = signal.length;
        double[] coeff = coefficients(padded(signal));
        double[] out = new double[m];
        double scale = (double) n / m;
        for (int i = 0; i < m; i++) {
            double x = (i + 0.5) * scale - 0.5 + PAD;
            int f = (int) Math.floor(x);
            double t = x - f;
            double w0 = (1 - t) * (1 - t) * (1 - t) / 6;
            double w1 = (3 * t * t * t - 6 * t * t + 4) / 6;
            double w2 = (-3 * t * t * t + 3 * t * t + 3 * t + 1) / 6;
            double w3 = t * t * t / 6;
            out[i] = w0 * at(coeff, f - 1) + w1 * at(coeff, f) + w2 * at(coeff, f + 1) + w3 * at(coeff, f + 2);
        }
        return out;
    }

    private static double[] padded(double[] s) {
        double[] p = new double[s.length + 2 * PAD];
        System.arraycopy(s, 0, p, PAD, s.length);
        return p;
    }

    private static double at(double[] c, int i) {
        return i < 0 || i >= c.length ? 0 : c[i];
    }

    /** Cubic B-spline interpolation coefficients (Unser's recursive filter, mirror boundaries). */
    static double[] coefficients(double[] s) {
        int n = s.length;
        double[] c = new double[n];
        for (int i = 0; i < n; i++) {
            c[i] = 6 * s[i];
        }
        double zk = 1;
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += zk * c[k];
            zk *= POLE;
        }
        c[0] = sum;
        for (int i = 1; i < n; i++) {
            c[i] += POLE * c[i - 1];
        }
        c[n - 1] = (POLE / (POLE * POLE - 1)) * (c[n - 1] + POLE * c[n - 2]);
        for (int i = n - 2; i >= 0; i--) {
            c[i] = POLE * (c[i + 1] - c[i]);
        }
        return c;
    }
}
