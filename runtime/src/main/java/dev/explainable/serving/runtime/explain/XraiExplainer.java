package dev.explainable.serving.runtime.explain;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.explainable.serving.runtime.explain.xrai.XraiParameters;
import dev.explainable.serving.runtime.explain.xrai.XraiRegions;
import dev.explainable.serving.runtime.explain.xrai.XraiSegmenter;

/**
 * XRAI (Kapishnikov et al., ICCV 2019) as PAIR's saliency implements it: Integrated Gradients from a black and a
 * white baseline (the image's min and max), averaged, maximum over channels; then regions from
 * {@link XraiSegmenter} ranked by attribution density ({@link XraiRegions}). The result is a per-pixel map
 * [height, width] of region scores. {@code approx_error} is the completeness gap of the underlying IG. With
 * {@link PathOptions} the IG's paths may be smoothed (SmoothGrad) or start from the blurred image instead of the
 * two baselines, and be refined towards a target error ({@link StepDoubling}); segmentation always sees the image
 * as sent.
 * Explains one input: an image [height, width(, channels)].
 */
public final class XraiExplainer implements Explainer {

    private final PathOptions options;
    private final GradientPath path;
    private final XraiParameters parameters;

    /**
     * @param options the paths of the underlying Integrated Gradients: straight ones from the black and white
     *                baselines, or the blurred image's path ({@code blurBaselineConfig}), smoothed where asked
     */
    public XraiExplainer(PathOptions options, XraiParameters parameters) {
        this.options = options;
        this.path = options.gradientPath();
        this.parameters = parameters;
    }

    public XraiExplainer(int steps, IntegrationRule rule, XraiParameters parameters) {
        this(PathOptions.of(steps, rule), parameters);
    }

    public PathOptions options() {
        return options;
    }

    @Override
    public long evaluations(ExplainedInstance instance) {
        // two baselines: black and white (as PAIR saliency's XRAI); a blurred start replaces both
        return PathAttributions.evaluations(instance.inputs(), 2, options.mostWork(instance.inputs(), 2))
                + 2L * options.probePoints(instance.inputs(), 2);
    }

    @Override
    public long hostMultiplyAdds(ExplainedInstance instance) {
        return PathAttributions.hostMultiplyAdds(
                instance.inputs(), 2, options.mostWork(instance.inputs(), 2), options.rounds());
    }

    @Override
    public Attribution explain(ExplainedInstance instance, ScoreFunction model) {
        if (instance.inputs().size() != 1) {
            throw new IllegalArgumentException(
                    "xrai explains one image input, got " + instance.inputs().size());
        }
        InputValues image = instance.inputs().get(0);
        long[] shape = image.shape();
        if (shape.length < 2 || shape.length > 3) {
            throw new IllegalArgumentException(
                    "xrai needs an image [height, width(, channels)], got " + Arrays.toString(shape));
        }
        float[] pixels = image.values();
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : pixels) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        int h = (int) shape[0];
        int w = (int) shape[1];
        int c = shape.length == 3 ? (int) shape[2] : 1;
        // Segmentation needs only the image: it runs beside the IG batches instead of after them.
        CompletableFuture<List<int[]>> segments =
                CompletableFuture.supplyAsync(() -> XraiSegmenter.masks(pixels, h, w, c, parameters));
        Attribution a = IntegratedGradientsExplainer.attribute(
                instance.inputs(),
                List.of(List.of(filled(pixels.length, min)), List.of(filled(pixels.length, max))),
                options,
                path,
                model);
        double[] perPixel = maxOverChannels(a.inputs().get(0).values(), h * w, c);
        double[] regions =
                XraiRegions.rank(perPixel, segments.join(), parameters.minPixelDiff(), parameters.areaThreshold());
        return new Attribution(
                List.of(new InputAttribution(image.name(), new long[] {h, w}, regions)),
                a.baselineScore(),
                a.exampleScore(),
                a.approxError(),
                a.integralSteps());
    }

    static float[] filled(int n, float v) {
        float[] f = new float[n];
        Arrays.fill(f, v);
        return f;
    }

    static double[] maxOverChannels(double[] attr, int pixels, int c) {
        double[] out = new double[pixels];
        for (int p = 0; p < pixels; p++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < c; k++) {
                m = Math.max(m, attr[p * c + k]);
            }
            out[p] = m;
        }
        return out;
    }
}
