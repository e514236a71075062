package dev.explainable.serving.runtime.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

/** SmoothGrad around Integrated Gradients on closed-form functions. */
class SmoothGradTest {

    static PathOptions smooth(int steps, int samples, double sigma) {
        return PathOptions.of(steps, IntegrationRule.TRAPEZOID)
                .withSmoothGrad(new SmoothGradConfig(samples, sigma, Map.of()));
    }

    @Test
    void onALinearModelSmoothGradIntegratedGradientsIsIntegratedGradientsExactly() {
        double[] w = {2, -1, 0.5, 3, -0.25};
        AnalyticModel f = AnalyticModel.linear(w, 1, 64, 5);
        float[] x = {1, 2, 3, 4, -1};
        List<InputValues> inputs = List.of(AnalyticModel.input("x", x));
        ExplainedInstance instance = new ExplainedInstance(inputs, Baselines.sets(inputs, List.of(List.of(0, 1))));
        Attribution plain = new IntegratedGradientsExplainer(7, IntegrationRule.TRAPEZOID).explain(instance, f);
        Attribution smoothed = new IntegratedGradientsExplainer(smooth(7, 10, 0.5)).explain(instance, f);
        assertArrayEquals(
                plain.inputs().get(0).values(), smoothed.inputs().get(0).values(), 1e-5);
        // the reported scores are the noiseless baseline's and instance's
        assertEquals(plain.baselineScore(), smoothed.baselineScore(), 1e-6);
        assertEquals(plain.exampleScore(), smoothed.exampleScore(), 1e-6);
        assertEquals(0, smoothed.approxError(), 1e-5);
    }

    /** f(x) = sum a_i x_i^2: a gradient linear in x, so the trapezoid rule integrates each noisy copy exactly. */
    static AnalyticModel quadratic(double[] a, int maxPoints) {
        Function<double[], Double> f = x -> {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
                s += a[i] * x[i] * x[i];
            }
            return s;
        };
        Function<double[], double[]> g = x -> {
            double[] d = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                d[i] = 2 * a[i] * x[i];
            }
            return d;
        };
        return new AnalyticModel(f, g, maxPoints, a.length);
    }

    @Test
    void onAQuadraticTheMeanIsIntegratedGradientsWithinTheClosedFormNoise() {
        // Copy k from b + n_k to x + n_k: attribution_i = a_i (x_i^2 - b_i^2) + 2 a_i (x_i - b_i) n_ki exactly, so
        // SmoothGrad-IG = IG + 2 a_i (x_i - b_i) mean_k(n_ki): expectation IG, standard deviation
        // 2 |a_i (x_i - b_i)| sigma / sqrt(S). Over 400 values the standardized deviations must look N(0, 1).
        int n = 400;
        int samples = 8;
        double sigma = 0.3;
        double[] a = new double[n];
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = 0.5 + (i % 7) * 0.25;
            x[i] = (float) (1 + (i % 5) * 0.5);
        }
        AnalyticModel f = quadratic(a, 64);
        ExplainedInstance instance = ExplainedInstance.withZeroBaselines(List.of(AnalyticModel.input("x", x)));
        Attribution sg = new IntegratedGradientsExplainer(smooth(4, samples, sigma)).explain(instance, f);
        double[] v = sg.inputs().get(0).values();
        double mean = 0;
        double square = 0;
        for (int i = 0; i < n; i++) {
            double ig = a[i] * x[i] * x[i];
            double sd = 2 * Math.abs(a[i] * x[i]) * sigma / Math.sqrt(samples);
            double z = (v[i] - ig) / sd;
            mean += z / n;
            square += z * z / n;
        }
        // mean of 400 N(0,1): sd 0.05; mean square: sd sqrt(2/400) = 0.07; both within 4 sd
        assertEquals(0, mean, 0.2, "standardized mean");
        assertEquals(1, square, 0.28, "standardized mean square");
        // each copy is integrated exactly: the completeness gap against the noisy ends is rounding only
        assertTrue(sg.approxError() < 1e-5, "approx_error " + sg.approxError());
    }

    @Test
    void sameRequestSameAnswerAndTheNoiseMatters() {
        AnalyticModel f = quadratic(new double[] {1, 2, 3}, 64);
        ExplainedInstance instance =
                ExplainedInstance.withZeroBaselines(List.of(AnalyticModel.input("x", 1f, -2f, 0.5f)));
        IntegratedGradientsExplainer e = new IntegratedGradientsExplainer(smooth(5, 3, 0.2));
        double[] first = e.explain(instance, f).inputs().get(0).values();
        double[] again = new IntegratedGradientsExplainer(smooth(5, 3, 0.2))
                .explain(instance, f)
                .inputs()
                .get(0)
                .values();
        assertArrayEquals(first, again, 0.0);
        double[] plain = new IntegratedGradientsExplainer(5, IntegrationRule.TRAPEZOID)
                .explain(instance, f)
                .inputs()
                .get(0)
                .values();
        assertTrue(Math.abs(first[0] - plain[0]) > 1e-4, "the noise moves a quadratic's attribution");
    }

    @Test
    void featureNoiseSigmaLeavesUnnamedInputsNoiseless() {
        // separable quadratic over two inputs: the unnamed input's attributions are plain IG's exactly
        AnalyticModel f = new AnalyticModel(
                x -> x[0] * x[0] + 3 * x[1] * x[1] + x[2] * x[2],
                x -> new double[] {2 * x[0], 6 * x[1], 2 * x[2]},
                64,
                2,
                1);
        List<InputValues> inputs = List.of(AnalyticModel.input("a", 1f, 2f), AnalyticModel.input("b", 3f));
        ExplainedInstance instance = ExplainedInstance.withZeroBaselines(inputs);
        PathOptions options = PathOptions.of(6, IntegrationRule.TRAPEZOID)
                .withSmoothGrad(new SmoothGradConfig(5, 0.1, Map.of("a", 0.5)));
        Attribution sg = new IntegratedGradientsExplainer(options).explain(instance, f);
        assertEquals(9, sg.inputs().get(1).values()[0], 1e-5);
        assertTrue(Math.abs(sg.inputs().get(0).values()[0] - 1) > 1e-3, "input a is noisy");
    }

    @Test
    void evaluationsCountEveryNoisyPathAndTheNoiselessEnds() {
        AnalyticModel f = quadratic(new double[] {1, 1, 1, 1}, 7);
        List<InputValues> inputs = List.of(AnalyticModel.input("x", 1, 2, 3, 4));
        ExplainedInstance instance = new ExplainedInstance(inputs, Baselines.sets(inputs, List.of(List.of(0, 1))));
        IntegratedGradientsExplainer e = new IntegratedGradientsExplainer(smooth(5, 3, 0.1));
        // 3 copies x 2 baselines x 6 points, + 2 noiseless ends of each of the 2 paths
        assertEquals(3 * 2 * 6 + 2 * 2, e.evaluations(instance));
        e.explain(instance, f);
        assertEquals(e.evaluations(instance), f.points);
        IntegratedGradientsExplainer plain = new IntegratedGradientsExplainer(5, IntegrationRule.TRAPEZOID);
        assertEquals(3 * plain.evaluations(instance) + 4, e.evaluations(instance));
    }

    @Test
    void theBatchSizeDoesNotChangeTheAnswer() {
        // copies draw their noise when first written and paths are folded in as they finish: any batching agrees
        List<InputValues> inputs = List.of(AnalyticModel.input("x", 1f, -2f, 0.5f));
        ExplainedInstance instance = new ExplainedInstance(inputs, Baselines.sets(inputs, List.of(List.of(0, 1))));
        IntegratedGradientsExplainer e = new IntegratedGradientsExplainer(smooth(6, 50, 0.2));
        double[] one = e.explain(instance, quadratic(new double[] {1, 2, 3}, 1))
                .inputs()
                .get(0)
                .values();
        double[] many = e.explain(instance, quadratic(new double[] {1, 2, 3}, 64))
                .inputs()
                .get(0)
                .values();
        assertArrayEquals(one, many, 1e-12);
    }

    @Test
    void recordedNormalsAreScaledBySigma() {
        // a stream of 1s: every point moves by +sigma, so IG of x0^2 runs from 0.25 to (1 + 0.25)
        AnalyticModel f = quadratic(new double[] {1}, 64);
        List<InputValues> inputs = List.of(AnalyticModel.input("x", 1f));
        GradientPath path = new SmoothGrad(
                new StraightPath(4, IntegrationRule.TRAPEZOID),
                new SmoothGradConfig(2, 0.25, Map.of()),
                () -> () -> 1.0);
        Attribution a = PathAttributions.attribute(inputs, List.of(List.of(new float[1])), path, f);
        assertEquals(1.25 * 1.25 - 0.25 * 0.25, a.inputs().get(0).values()[0], 1e-6);
        assertEquals(1.0, a.exampleScore(), 1e-6, "noiseless instance score");
        assertEquals(0.0, a.baselineScore(), 1e-6, "noiseless baseline score");
    }
}
