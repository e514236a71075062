package dev.explainable.serving.runtime.explain;

/**
 * The attributions of one input, flat row-major with their shape: the input's shape, or the method's own (XRAI
 * answers one value per pixel, [height, width]).
 */
public record InputAttribution(String input, long[] shape, double[] values) {

    public double sum() {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }
}
