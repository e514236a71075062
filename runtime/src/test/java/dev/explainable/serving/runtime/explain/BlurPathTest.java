package dev.explainable.serving.runtime.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.runtime.explain.GaussianBlur.Boundary;

/** Blur IG on closed-form functions of a small image. */
class BlurPathTest {

    static final int H = 9;
    static final int W = 8;
    static final int C = 2;

    static float[] picture() {
        float[] x = new float[H * W * C];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.5 + 0.4 * Math.sin(i * 0.7) + (i % 11 == 0 ? 1 : 0));
        }
        return x;
    }

    static ExplainedInstance image(float[] values) {
        return ExplainedInstance.withZeroBaselines(
                List.of(new InputValues("image", new long[] {H, W, C}, values, null)));
    }

    static double[] weights() {
        double[] w = new double[H * W * C];
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.cos(i * 1.3);
        }
        return w;
    }

    static PathOptions blur(int steps, IntegrationRule rule, BlurConfig config) {
        return PathOptions.of(steps, rule).withBlur(config);
    }

    @Test
    void blurIgOfAConstantImageIsZeroWhereTheBlurKeepsItConstant() {
        float[] flat = new float[H * W * C];
        Arrays.fill(flat, 0.6f);
        AnalyticModel f = AnalyticModel.linear(weights(), 0, 64, flat.length);
        // mirrored edges: every blur of a constant image is the image, so nothing changes along the path
        BlurConfig reflect = new BlurConfig(20, BlurConfig.Path.BLUR, Boundary.REFLECT);
        Attribution a =
                new IntegratedGradientsExplainer(blur(30, IntegrationRule.UNIFORM, reflect)).explain(image(flat), f);
        for (double v : a.inputs().get(0).values()) {
            assertEquals(0, v, 1e-9);
        }
        assertEquals(a.exampleScore(), a.baselineScore(), 1e-6);
        // saliency's zero edges: the blur darkens the border, so only pixels the kernel never carries past the edge
        // (4 sigma + 0.5 with sigma up to 0.5 + 0.01: radius 2) keep a zero attribution
        Attribution zero = new IntegratedGradientsExplainer(blur(10, IntegrationRule.UNIFORM, BlurConfig.of(0.5)))
                .explain(image(flat), f);
        double[] v = zero.inputs().get(0).values();
        boolean borderMoved = false;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                boolean inside = y >= 2 && y < H - 2 && x >= 2 && x < W - 2;
                for (int c = 0; c < C; c++) {
                    double av = v[(y * W + x) * C + c];
                    if (inside) {
                        assertEquals(0, av, 1e-9, "interior " + y + "," + x);
                    } else {
                        borderMoved |= Math.abs(av) > 1e-3;
                    }
                }
            }
        }
        assertTrue(borderMoved, "zero edges darken the border");
    }

    @Test
    void completenessOnALinearModelAndTheTrapezoidRuleConverges() {
        float[] x = picture();
        AnalyticModel f = AnalyticModel.linear(weights(), 0.3, 64, x.length);
        double previous = Double.NaN;
        for (int steps : new int[] {20, 40, 80}) {
            Attribution a = new IntegratedGradientsExplainer(blur(steps, IntegrationRule.TRAPEZOID, BlurConfig.of(3)))
                    .explain(image(x), f);
            double delta = a.exampleScore() - a.baselineScore();
            double[] blurred = GaussianBlur.blur(x, H, W, C, 3, Boundary.ZERO);
            double want = 0;
            for (int i = 0; i < x.length; i++) {
                want += weights()[i] * (x[i] - blurred[i]);
            }
            assertEquals(want, delta, 1e-5, "scores at the ends: the image and its blur with sigma 3");
            double gap = Math.abs(a.sum() - delta) / Math.abs(delta);
            assertEquals(gap, a.approxError(), 1e-6);
            assertTrue(gap < 0.02, steps + " steps: gap " + gap);
            if (!Double.isNaN(previous)) {
                assertTrue(gap < previous, "more steps, smaller gap");
            }
            previous = gap;
        }
    }

    @Test
    void uniformRuleIsSaliencysLeftSumInSigma() {
        // the attribution is -sum_{j < steps} (sigma_(j+1) - sigma_j) dBlur/dsigma(sigma_j) . w, by hand
        float[] x = picture();
        double[] w = weights();
        AnalyticModel f = AnalyticModel.linear(w, 0, 5, x.length);
        int steps = 6;
        double max = 4;
        Attribution a = new IntegratedGradientsExplainer(blur(steps, IntegrationRule.UNIFORM, BlurConfig.of(max)))
                .explain(image(x), f);
        double[] want = new double[x.length];
        for (int j = 0; j < steps; j++) {
            double s = (double) j * max / steps;
            double ds = (double) (j + 1) * max / steps - s;
            double[] b0 = GaussianBlur.blur(x, H, W, C, s, Boundary.ZERO);
            double[] b1 = GaussianBlur.blur(x, H, W, C, s + 0.01, Boundary.ZERO);
            for (int i = 0; i < x.length; i++) {
                want[i] -= ds * (b1[i] - b0[i]) / 0.01 * (float) w[i];
            }
        }
        assertArrayEquals(want, a.inputs().get(0).values(), 1e-6);
    }

    @Test
    void straightPathIsIntegratedGradientsFromTheBlurredImage() {
        float[] x = picture();
        double[] w = weights();
        AnalyticModel f = AnalyticModel.linear(w, 0, 64, x.length);
        BlurConfig straight = new BlurConfig(2.5, BlurConfig.Path.STRAIGHT, Boundary.ZERO);
        Attribution a =
                new IntegratedGradientsExplainer(blur(10, IntegrationRule.TRAPEZOID, straight)).explain(image(x), f);
        double[] blurred = GaussianBlur.blur(x, H, W, C, 2.5, Boundary.ZERO);
        for (int i = 0; i < x.length; i++) {
            assertEquals(w[i] * (x[i] - (float) blurred[i]), a.inputs().get(0).values()[i], 1e-5);
        }
    }

    @Test
    void smoothGradOverBlurIgOfALinearModelIsBlurIg() {
        float[] x = picture();
        AnalyticModel f = AnalyticModel.linear(weights(), 0, 64, x.length);
        PathOptions options = blur(12, IntegrationRule.TRAPEZOID, BlurConfig.of(2));
        Attribution plain = new IntegratedGradientsExplainer(options).explain(image(x), f);
        Attribution smoothed = new IntegratedGradientsExplainer(
                        options.withSmoothGrad(new SmoothGradConfig(4, 0.3, Map.of())))
                .explain(image(x), f);
        assertArrayEquals(
                plain.inputs().get(0).values(), smoothed.inputs().get(0).values(), 1e-5);
        assertEquals(plain.exampleScore(), smoothed.exampleScore(), 1e-6);
        assertEquals(plain.baselineScore(), smoothed.baselineScore(), 1e-6);
    }

    @Test
    void evaluationsAreCountedForBlurAndForXrai() {
        float[] x = picture();
        AnalyticModel f = AnalyticModel.linear(weights(), 0, 7, x.length);
        PathOptions options = blur(10, IntegrationRule.UNIFORM, BlurConfig.of(2))
                .withSmoothGrad(new SmoothGradConfig(3, 0.1, Map.of()));
        IntegratedGradientsExplainer e = new IntegratedGradientsExplainer(options);
        assertEquals(3 * 11 + 2, e.evaluations(image(x))); // 3 copies of steps + 1 points, 2 noiseless ends
        e.explain(image(x), f);
        assertEquals(e.evaluations(image(x)), f.points);
        // XRAI: a blurred start replaces its two baselines
        assertEquals(
                11, new XraiExplainer(blur(10, IntegrationRule.UNIFORM, BlurConfig.of(2)), null).evaluations(image(x)));
        assertEquals(2 * 11, new XraiExplainer(10, IntegrationRule.TRAPEZOID, null).evaluations(image(x)));
    }

    static long blurred(double sigma) {
        return GaussianBlur.multiplyAdds(H, W, C, sigma, Boundary.ZERO);
    }

    @Test
    void hostMultiplyAddsCountEveryBlurThePathsTake() {
        ExplainedInstance x = image(picture());
        // uniform, 2 steps to sigma 4: point 0 is the image (a copy) and its derivative's blur at 0.01, point 1
        // blurs at 2 and 2.01, point 2 (weight 0: only the start's score) at 4
        long uniform = blurred(0.01) + blurred(2) + blurred(2.01) + blurred(4);
        assertEquals(
                uniform,
                new IntegratedGradientsExplainer(blur(2, IntegrationRule.UNIFORM, BlurConfig.of(4)))
                        .hostMultiplyAdds(x));
        // the trapezoid weighs every point
        PathOptions trapezoid = blur(2, IntegrationRule.TRAPEZOID, BlurConfig.of(4));
        long points = uniform + blurred(4.01);
        assertEquals(points, new IntegratedGradientsExplainer(trapezoid).hostMultiplyAdds(x));
        // SmoothGrad: every copy writes its points; the noiseless ends (points 2 and 0) once more
        long ends = blurred(4) + blurred(4.01) + blurred(0.01);
        assertEquals(
                3 * points + ends,
                new IntegratedGradientsExplainer(trapezoid.withSmoothGrad(new SmoothGradConfig(3, 0.1, Map.of())))
                        .hostMultiplyAdds(x));
        // refined from 2 steps up to 8: the rounds' points are the trapezoid's at 8 steps (sigma j / 2)
        PathOptions refined = trapezoid.withAdaptiveSteps(new AdaptiveSteps(1e-4, 8));
        long eight = 0;
        for (int j = 0; j <= 8; j++) {
            eight += blurred(j / 2.0) + blurred(j / 2.0 + 0.01);
        }
        assertEquals(3, refined.rounds());
        assertEquals(eight, new IntegratedGradientsExplainer(refined).hostMultiplyAdds(x));
        // XRAI blurs the same (a blurred start replaces its two baselines)
        assertEquals(points, new XraiExplainer(trapezoid, null).hostMultiplyAdds(x));
        // the straight path blurs its start once per round of paths, and interpolates its points
        PathOptions straight =
                blur(2, IntegrationRule.TRAPEZOID, new BlurConfig(4, BlurConfig.Path.STRAIGHT, Boundary.ZERO));
        assertEquals(blurred(4), new IntegratedGradientsExplainer(straight).hostMultiplyAdds(x));
        assertEquals(
                3 * blurred(4),
                new IntegratedGradientsExplainer(straight.withAdaptiveSteps(new AdaptiveSteps(1e-4, 8)))
                        .hostMultiplyAdds(x));
        assertEquals(
                2 * blurred(4),
                new IntegratedGradientsExplainer(straight.withSmoothGrad(new SmoothGradConfig(3, 0.1, Map.of())))
                        .hostMultiplyAdds(x),
                "the copies share the start; the noiseless ends make it once more");
        assertEquals(0, new IntegratedGradientsExplainer(10, IntegrationRule.TRAPEZOID).hostMultiplyAdds(x));
    }

    @Test
    void aLargeSigmaOnALargeImageCostsTheWholeLinePerValue() {
        // the costliest case reported: 591 x 591 x 3, sigma 1000, 100 steps.
        // From sigma 150 on the kernel spans every line.
        float[] big = new float[591 * 591 * 3];
        ExplainedInstance x = ExplainedInstance.withZeroBaselines(
                List.of(new InputValues("image", new long[] {591, 591, 3}, big, null)));
        long perBlur = 2L * 591 * 3 * 591 * 591;
        long cost = new IntegratedGradientsExplainer(blur(100, IntegrationRule.TRAPEZOID, BlurConfig.of(1000)))
                .hostMultiplyAdds(x);
        assertTrue(cost > 2 * 85 * perBlur && cost <= 2 * 101 * perBlur, "" + cost);
    }

    @Test
    void refusesInputsThatAreNotOneImage() {
        AnalyticModel f = AnalyticModel.linear(new double[] {1, 1}, 0, 64, 2);
        IntegratedGradientsExplainer e =
                new IntegratedGradientsExplainer(blur(5, IntegrationRule.UNIFORM, BlurConfig.of(1)));
        ExplainedInstance vector = ExplainedInstance.withZeroBaselines(List.of(AnalyticModel.input("x", 1, 2)));
        assertThrows(IllegalArgumentException.class, () -> e.explain(vector, f));
    }
}
