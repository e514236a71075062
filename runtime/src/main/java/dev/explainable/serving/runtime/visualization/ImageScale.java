package dev.explainable.serving.runtime.visualization;

/** The model's input image as 0..255 RGB for overlays. */
final class ImageScale {

    private ImageScale() {}

    /**
     * Scales with the metadata's domain [min, max] when given; otherwise detects [0, 1], [-1, 1] or [0, 255] from
     * the values, as Google's renderer does. Grayscale takes the mean of the channels.
     */
    static int[] toRgb(float[] image, int pixels, double[] domain, boolean grayscale) {
        int channels = Math.max(1, image.length / pixels);
        double lo;
        double hi;
        if (domain != null) {
            lo = domain[0];
            hi = domain[1];
        } else {
            double min = Double.MAX_VALUE;
            double max = -Double.MAX_VALUE;
            for (float v : image) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            if (min >= 0 && max <= 1) {
                lo = 0;
                hi = 1;
            } else if (min >= -1 && max <= 1) {
                lo = -1;
                hi = 1;
            } else {
                lo = 0;
                hi = 255;
            }
        }
        int[] out = new int[pixels];
        for (int p = 0; p < pixels; p++) {
            int[] c = new int[3];
            double sum = 0;
            for (int k = 0; k < 3; k++) {
                float v = image[p * channels + Math.min(k, channels - 1)];
                c[k] = (int) Math.round(Math.max(0, Math.min(255, (v - lo) / (hi - lo) * 255)));
                sum += c[k];
            }
            if (grayscale) {
                int g = (int) Math.round(sum / 3);
                c[0] = c[1] = c[2] = g;
            }
            out[p] = ColorMaps.rgb(c[0], c[1], c[2]);
        }
        return out;
    }
}
