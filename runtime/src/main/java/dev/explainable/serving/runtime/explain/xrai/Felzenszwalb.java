package dev.explainable.serving.runtime.explain.xrai;

/**
 * Felzenszwalb and Huttenlocher's graph-based segmentation (IJCV 2004), following scikit-image's
 * {@code felzenszwalb}: Gaussian smoothing per channel (reflect borders, truncated at 4 sigma), an 8-connected grid
 * graph weighted by the Euclidean color distance, Kruskal-style merging while an edge is lighter than both
 * components' internal difference plus {@code scale / size}, then merging of components under {@code minSize}.
 */
public final class Felzenszwalb {

    private Felzenszwalb() {}

    /** Labels 0..n-1 per pixel of an [h, w, c] image. */
    public static int[] segment(double[] image, int h, int w, int c, double scale, double sigma, int minSize) {
        return graph(image, h, w, c, sigma).segment(scale, minSize);
    }

    /** The smoothed image's grid graph with its edges sorted by weight: shared by every scale. */
    public record Graph(int n, int[] a, int[] b, double[] cost, int[] order) {

        /** Labels 0..n-1 per pixel for one scale. */
        public int[] segment(double scale, int minSize) {
            // scikit-image divides the scale by 255 "to behave like the reference implementation" on 0..255 images
            double k = scale / 255.0;
            int[] parent = new int[n];
            int[] size = new int[n];
            double[] inner = new double[n];
            for (int i = 0; i < n; i++) {
                parent[i] = i;
                size[i] = 1;
            }
            for (int idx : order) {
                int r0 = find(parent, a[idx]);
                int r1 = find(parent, b[idx]);
                if (r0 == r1) {
                    continue;
                }
                double t0 = inner[r0] + k / size[r0];
                double t1 = inner[r1] + k / size[r1];
                if (cost[idx] < Math.min(t0, t1)) {
                    int root = join(parent, r0, r1);
                    size[root] = size[r0] + size[r1];
                    inner[root] = cost[idx];
                }
            }
            for (int idx : order) {
                int r0 = find(parent, a[idx]);
                int r1 = find(parent, b[idx]);
                if (r0 != r1 && (size[r0] < minSize || size[r1] < minSize)) {
                    int root = join(parent, r0, r1);
                    size[root] = size[r0] + size[r1];
                }
            }
            int[] labels = new int[n];
            int[] relabel = new int[n];
            int next = 0;
            // labels in order of their roots' indices, as numpy.unique(return_inverse=True) numbers them
            for (int i = 0; i < n; i++) {
                if (find(parent, i) == i) {
                    relabel[i] = next++;
                }
            }
            for (int i = 0; i < n; i++) {
                labels[i] = relabel[find(parent, i)];
            }
            return labels;
        }
    }

    public static Graph graph(double[] image, int h, int w, int c, double sigma) {
        double[] smooth = smooth(image, h, w, c, sigma);
        int edgesCount = h * (w - 1) + (h - 1) * w + 2 * (h - 1) * (w - 1);
        int[] a = new int[edgesCount];
        int[] b = new int[edgesCount];
        double[] cost = new double[edgesCount];
        int e = 0;
        // the same four edge families as scikit-image: right, down, down-right, up-right
        for (int y = 0; y < h; y++) {
            for (int x = 0; x + 1 < w; x++) {
                a[e] = y * w + x + 1;
                b[e] = y * w + x;
                cost[e++] = distance(smooth, c, a[e - 1], b[e - 1]);
            }
        }
        for (int y = 0; y + 1 < h; y++) {
            for (int x = 0; x < w; x++) {
                a[e] = (y + 1) * w + x;
                b[e] = y * w + x;
                cost[e++] = distance(smooth, c, a[e - 1], b[e - 1]);
            }
        }
        for (int y = 0; y + 1 < h; y++) {
            for (int x = 0; x + 1 < w; x++) {
                a[e] = (y + 1) * w + x + 1;
                b[e] = y * w + x;
                cost[e++] = distance(smooth, c, a[e - 1], b[e - 1]);
            }
        }
        for (int y = 0; y + 1 < h; y++) {
            for (int x = 0; x + 1 < w; x++) {
                a[e] = y * w + x + 1;
                b[e] = (y + 1) * w + x;
                cost[e++] = distance(smooth, c, a[e - 1], b[e - 1]);
            }
        }
        return new Graph(h * w, a, b, cost, argsort(cost));
    }

    /** Indices ordered by cost, ties by index: a stable merge sort on primitive arrays. */
    static int[] argsort(double[] cost) {
        int n = cost.length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        int[] buffer = new int[n];
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + 2 * width, n);
                int i = lo;
                int j = mid;
                int k = lo;
                while (i < mid && j < hi) {
                    buffer[k++] = cost[order[j]] < cost[order[i]] ? order[j++] : order[i++];
                }
                while (i < mid) {
                    buffer[k++] = order[i++];
                }
                while (j < hi) {
                    buffer[k++] = order[j++];
                }
            }
            int[] t = order;
            order = buffer;
            buffer = t;
        }
        return order;
    }

    private static double distance(double[] img, int c, int p, int q) {
        double s = 0;
        for (int k = 0; k < c; k++) {
            double d = img[p * c + k] - img[q * c + k];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    private static int find(int[] parent, int i) {
        int root = i;
        while (parent[root] != root) {
            root = parent[root];
        }
        while (parent[i] != root) { // path compression
            int next = parent[i];
            parent[i] = root;
            i = next;
        }
        return root;
    }

    /** scikit-image keeps the smaller index as the root. */
    private static int join(int[] parent, int r0, int r1) {
        if (r0 < r1) {
            parent[r1] = r0;
            return r0;
        }
        parent[r0] = r1;
        return r1;
    }

    /** scipy.ndimage.gaussian_filter over the two spatial axes: mode reflect, truncate 4.0. */
    static double[] smooth(double[] img, int h, int w, int c, double sigma) {
        if (sigma <= 0) {
            return img;
        }
        int r = (int) (4.0 * sigma + 0.5);
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            k[i + r] = Math.exp(-0.5 * i * i / (sigma * sigma));
            sum += k[i + r];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        double[] tmp = new double[img.length];
        double[] out = new double[img.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < c; ch++) {
                    double acc = 0;
                    for (int i = -r; i <= r; i++) {
                        acc += k[i + r] * img[(y * w + reflect(x + i, w)) * c + ch];
                    }
                    tmp[(y * w + x) * c + ch] = acc;
                }
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < c; ch++) {
                    double acc = 0;
                    for (int i = -r; i <= r; i++) {
                        acc += k[i + r] * tmp[(reflect(y + i, h) * w + x) * c + ch];
                    }
                    out[(y * w + x) * c + ch] = acc;
                }
            }
        }
        return out;
    }

    /** scipy's 'reflect': (d c b a | a b c d | d c b a). */
    static int reflect(int i, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * n;
        int m = ((i % period) + period) % period;
        return m < n ? m : period - 1 - m;
    }
}
