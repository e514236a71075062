package dev.explainable.serving.runtime.explain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.explainable.serving.runtime.explain.xrai.XraiParameters;
import dev.explainable.serving.runtime.explain.xrai.XraiRegions;
import dev.explainable.serving.runtime.explain.xrai.XraiSegmenter;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.model.ServingModel.ExplainedInput;
import dev.explainable.serving.runtime.model.ServingModel.ExplainedOutput;
import dev.explainable.serving.runtime.tensor.HostTensor;

/**
 * XRAI (Kapishnikov et al., ICCV 2019) as PAIR's saliency implements it: Integrated Gradients from a black and a
 * white baseline (the image's min and max), averaged, maximum over channels; then regions from
 * {@link XraiSegmenter} ranked by attribution density ({@link XraiRegions}). The result is a per-pixel map
 * [height, width] of region scores. {@code approx_error} is the completeness gap of the underlying IG.
 */
public final class XraiExplainer implements Explainer {

    private final ModelRunner runner;
    private final IntegratedGradientsExplainer ig;
    private final XraiParameters parameters;
    private final ExplainedInput image;

    public XraiExplainer(ModelRunner runner, int steps, int batchSize, IntegrationRule rule,
            XraiParameters parameters) {
        this.runner = runner;
        this.ig = new IntegratedGradientsExplainer(runner, steps, batchSize, rule);
        this.parameters = parameters;
        List<ExplainedInput> inputs = runner.model().explainedInputs();
        if (inputs.size() != 1 || !inputs.get(0).metadata().isImage()) {
            throw new MetadataException("xrai explains one input with modality image; the metadata has "
                    + inputs.stream().map(i -> i.key() + (i.metadata().isImage() ? " (image)" : "")).toList());
        }
        long[] shape = inputs.get(0).spec().shape();
        if (shape != null && (shape.length < 2 || shape.length > 3)) {
            throw new MetadataException("xrai needs an image tensor [batch, height, width(, channels)], got "
                    + inputs.get(0).spec().describeShape());
        }
        this.image = inputs.get(0);
    }

    @Override
    public long evaluations(Instance instance) {
        // two baselines: black and white (as PAIR saliency's XRAI)
        return ig.pointsPerPath() * 2 * runner.model().explainedOutputs().size();
    }

    @Override
    public Explanation explain(Instance instance) {
        HostTensor x = instance.explainedValues().get(image.key());
        float[] pixels = x.floats();
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : pixels) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        List<Map<String, float[]>> baselines = List.of(Map.of(image.key(), filled(pixels.length, min)),
                Map.of(image.key(), filled(pixels.length, max)));
        int h = (int) x.shape()[0];
        int w = (int) x.shape()[1];
        int c = x.shape().length == 3 ? (int) x.shape()[2] : 1;
        // Segmentation needs only the image: it runs beside the IG batches instead of after them.
        java.util.concurrent.CompletableFuture<List<int[]>> segments = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> XraiSegmenter.masks(pixels, h, w, c, parameters));
        List<AttributionByLabel> byLabel = new ArrayList<>();
        for (ExplainedOutput o : runner.model().explainedOutputs()) {
            ModelRunner.Target target = ModelRunner.target(instance, o);
            AttributionByLabel a = ig.integrate(instance, o, target, baselines)
                    .toAttribution(instance, runner.model().explainedInputs(), baselines, target, o.key());
            double[] attr = ((AttributionMap) a.attributions().get(image.key())).values();
            double[] perPixel = maxOverChannels(attr, h * w, c);
            double[] regions = XraiRegions.rank(perPixel, segments.join(), parameters.minPixelDiff(),
                    parameters.areaThreshold());
            Map<String, Object> attributions = new LinkedHashMap<>();
            attributions.put(image.key(), new AttributionMap(regions, new long[] {h, w}));
            byLabel.add(new AttributionByLabel(a.approxError(), attributions, a.baselineScore(), a.exampleScore(),
                    a.labelIndex(), a.labelName(), a.outputName()));
        }
        return new Explanation(byLabel);
    }

    static float[] filled(int n, float v) {
        float[] f = new float[n];
        java.util.Arrays.fill(f, v);
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
