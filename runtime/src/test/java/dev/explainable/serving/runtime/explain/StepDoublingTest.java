package dev.explainable.serving.runtime.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.runtime.testing.TestOptions;

/**
 * Refining the trapezoid rule towards a target approx_error, on closed-form functions: where it stops, the cap,
 * that no point is evaluated twice, and that each answer is the trapezoid rule at the steps it reports.
 */
class StepDoublingTest {

    /**
     * f(x) = (w . x)^3 from a zero baseline: along the path the gradient is {@code 3 a^2 (w . x)^2 w}, and the
     * trapezoid rule over n intervals overestimates {@code integral 3 a^2 da = 1} by exactly {@code 1 / (2 n^2)}
     * (Euler–Maclaurin: {@code h^2 / 12 (g'(1) - g'(0))}, no further terms for a quadratic). So approx_error at n
     * steps is {@code 1 / (2 n^2)}: 5e-3 at 10, 1.25e-3 at 20, 3.1e-4 at 40, 7.8e-5 at 80.
     */
    static final double[] W = {0.5, -0.25, 1.0};

    static final float[] X = {1f, 2f, 0.75f}; // w . x = 0.75

    static AnalyticModel cubic(int maxPoints) {
        Function<double[], Double> dot = x -> W[0] * x[0] + W[1] * x[1] + W[2] * x[2];
        return new AnalyticModel(
                x -> Math.pow(dot.apply(x), 3),
                x -> {
                    double s = dot.apply(x);
                    return new double[] {3 * s * s * W[0], 3 * s * s * W[1], 3 * s * s * W[2]};
                },
                maxPoints,
                3);
    }

    static ExplainedInstance instance() {
        return ExplainedInstance.withZeroBaselines(List.of(AnalyticModel.input("x", X)));
    }

    static IntegratedGradientsExplainer refined(int start, double target, int cap) {
        return new IntegratedGradientsExplainer(
                PathOptions.of(start, IntegrationRule.TRAPEZOID).withAdaptiveSteps(new AdaptiveSteps(target, cap)));
    }

    @Test
    void theKnownErrorIsReportedAtEachStepCount() {
        for (int n : new int[] {10, 20, 40, 80}) {
            Attribution a =
                    new IntegratedGradientsExplainer(n, IntegrationRule.TRAPEZOID).explain(instance(), cubic(64));
            assertEquals(1.0 / (2.0 * n * n), a.approxError(), 2e-6, n + " steps");
            assertNull(a.integralSteps(), "fixed steps report none");
        }
    }

    @Test
    void refinementStopsAtTheFirstDoublingWithinTheTarget() {
        // target -> steps: 1e-2 is met at the start (5e-3), 4e-3 at 20 (1.25e-3), 1e-3 at 40, 1e-4 at 80
        int[][] expected = {{100, 10}, {40, 20}, {10, 40}, {1, 80}}; // {target in 1e-4, steps}
        for (int[] e : expected) {
            double target = e[0] * 1e-4;
            AnalyticModel f = cubic(64);
            Attribution a = refined(10, target, 400).explain(instance(), f);
            assertEquals(e[1], a.integralSteps(), "target " + target);
            assertEquals(1.0 / (2.0 * e[1] * e[1]), a.approxError(), 2e-6, "target " + target);
            assertTrue(a.approxError() <= target);
            assertEquals(e[1] + 1, f.points, "the trapezoid's points at the steps reached, each once");
        }
    }

    @Test
    void theCapIsHonouredAndTheErrorReportedAsItIs() {
        AnalyticModel f = cubic(64);
        Attribution a = refined(10, 1e-4, 50).explain(instance(), f);
        assertEquals(40, a.integralSteps(), "80 would pass the cap of 50");
        assertEquals(1.0 / 3200, a.approxError(), 2e-6, "the target is not met, and the answer says so");
        assertEquals(41, f.points);

        AnalyticModel g = cubic(64);
        Attribution b = refined(10, 1e-4, 5).explain(instance(), g);
        assertEquals(10, b.integralSteps(), "a start past the cap is not refined");
        assertEquals(11, g.points);
    }

    @Test
    void theWorkIsCountedAtTheCapBeforeAnyOfIt() {
        List<InputValues> inputs = List.of(AnalyticModel.input("x", X));
        ExplainedInstance twoBaselines = new ExplainedInstance(inputs, Baselines.sets(inputs, List.of(List.of(0, -1))));
        assertEquals(2 * 321, refined(10, 1e-3, 400).evaluations(twoBaselines), "10 doubled to 320, per baseline");
        assertEquals(2 * 401, refined(50, 1e-3, 400).evaluations(twoBaselines));
        assertEquals(2 * 51, refined(50, 1e-3, 99).evaluations(twoBaselines));
        assertEquals(400, new AdaptiveSteps(0.01, 400).finalSteps(25));
        assertEquals(240, new AdaptiveSteps(0.01, 400).finalSteps(30));
        assertEquals(500, new AdaptiveSteps(0.01, 400).finalSteps(500));
    }

    @Test
    void everyPointIsEvaluatedOnceAcrossTheRounds() {
        // one input, baseline 0, x = 1: each point's value is its alpha
        List<Double> seen = new ArrayList<>();
        ScoreFunction line = new ScoreFunction() {
            @Override
            public Scores at(List<float[]> points, int n, boolean withGradients) {
                float[] values = new float[n];
                float[] gradients = new float[n];
                for (int p = 0; p < n; p++) {
                    double a = points.get(0)[p];
                    seen.add(a);
                    values[p] = (float) Math.exp(4 * a); // steep enough to need several rounds
                    gradients[p] = 4 * values[p];
                }
                return new Scores(values, new float[][] {gradients});
            }

            @Override
            public int maxPointsPerCall() {
                return 7;
            }
        };
        Attribution a = refined(4, 1e-3, 400)
                .explain(ExplainedInstance.withZeroBaselines(List.of(AnalyticModel.input("x", 1f))), line);
        int steps = a.integralSteps();
        assertTrue(steps >= 32, "several rounds: " + steps);
        TreeSet<Double> distinct = new TreeSet<>(seen);
        assertEquals(seen.size(), distinct.size(), "no point twice");
        assertEquals(steps + 1, seen.size());
        int j = 0;
        for (double alpha : distinct) {
            assertEquals((double) j++ / steps, alpha, 1e-6, "the trapezoid's grid at the steps reached");
        }
    }

    @Test
    void eachAnswerIsTheTrapezoidRuleAtTheStepsItReports() {
        double[] w = {1.5, -0.5, 1.0};
        List<InputValues> inputs = List.of(AnalyticModel.input("x", 1f, 0.5f, 2f));
        ExplainedInstance twoBaselines =
                new ExplainedInstance(inputs, Baselines.sets(inputs, List.of(List.of(0, 0.5))));
        Attribution refined = refined(5, 2e-3, 400).explain(twoBaselines, AnalyticModel.exponential(w, 16));
        Attribution fixed = new IntegratedGradientsExplainer(refined.integralSteps(), IntegrationRule.TRAPEZOID)
                .explain(twoBaselines, AnalyticModel.exponential(w, 16));
        assertTrue(refined.integralSteps() > 5);
        assertSame(fixed, refined, 1e-6);
    }

    @Test
    void smoothGradCopiesAreRefinedWithTheirOwnNoise() {
        double[] w = {1.5, -0.5, 1.0};
        ExplainedInstance x = ExplainedInstance.withZeroBaselines(List.of(AnalyticModel.input("x", 1f, 0.5f, 2f)));
        PathOptions smooth =
                PathOptions.of(5, IntegrationRule.TRAPEZOID).withSmoothGrad(SmoothGradConfig.fromVertex(3, 0.2, null));
        Attribution refined = new IntegratedGradientsExplainer(smooth.withAdaptiveSteps(new AdaptiveSteps(2e-3, 400)))
                .explain(x, AnalyticModel.exponential(w, 16));
        Attribution fixed = new IntegratedGradientsExplainer(smooth.withSteps(refined.integralSteps()))
                .explain(x, AnalyticModel.exponential(w, 16));
        assertTrue(refined.integralSteps() > 5);
        assertSame(fixed, refined, 1e-6);
        assertEquals(fixed.baselineScore(), refined.baselineScore(), 1e-9, "the noiseless ends");
    }

    @Test
    void blurPathsRefineOnTheirSigmaGrid() {
        int h = 6;
        int wd = 5;
        float[] image = new float[h * wd];
        double[] w = new double[image.length];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) ((i * 7 % 11) / 11.0);
            w[i] = ((i * 3) % 5 - 2) * 0.75;
        }
        ExplainedInstance x =
                ExplainedInstance.withZeroBaselines(List.of(new InputValues("image", new long[] {h, wd}, image, null)));
        for (BlurConfig.Path kind : BlurConfig.Path.values()) {
            PathOptions blur = PathOptions.of(4, IntegrationRule.TRAPEZOID)
                    .withBlur(new BlurConfig(3, kind, GaussianBlur.Boundary.ZERO));
            Attribution refined = new IntegratedGradientsExplainer(blur.withAdaptiveSteps(new AdaptiveSteps(1e-3, 400)))
                    .explain(x, AnalyticModel.exponential(w, 16));
            Attribution fixed = new IntegratedGradientsExplainer(blur.withSteps(refined.integralSteps()))
                    .explain(x, AnalyticModel.exponential(w, 16));
            assertTrue(refined.integralSteps() > 4, kind + ": " + refined.integralSteps());
            if (kind == BlurConfig.Path.STRAIGHT) {
                // Blur IG's own gap also holds the blur's forward difference (saliency's grad_step), which no
                // number of steps removes; the straight line's is the integration's alone
                assertTrue(refined.approxError() <= 1e-3, kind + ": " + refined.approxError());
            }
            assertSame(fixed, refined, 1e-6);
        }
    }

    /** An 8×8 image in [0, 1] for XRAI's refined IG ({@link #xraiModel}). */
    static ExplainedInstance xraiImage() {
        float[] image = new float[64];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) ((i * 5 % 13) / 13.0);
        }
        return ExplainedInstance.withZeroBaselines(List.of(new InputValues("image", new long[] {8, 8}, image, null)));
    }

    /** exp(w . x) over {@link #xraiImage}, w positive on the left half of each row: a gap that needs refining. */
    static AnalyticModel xraiModel() {
        double[] w = new double[64];
        for (int i = 0; i < w.length; i++) {
            w[i] = (i % 8 < 4 ? 0.3 : -0.2);
        }
        return AnalyticModel.exponential(w, 32);
    }

    @Test
    void xraiReportsTheStepsItsIntegratedGradientsReached() {
        ExplainedInstance x = xraiImage();
        XraiExplainer xrai = new XraiExplainer(
                PathOptions.of(4, IntegrationRule.TRAPEZOID).withAdaptiveSteps(new AdaptiveSteps(1e-3, 400)),
                TestOptions.from().attribution().xrai());
        AnalyticModel f = xraiModel();
        Attribution a = xrai.explain(x, f);
        assertTrue(a.integralSteps() > 4 && a.approxError() <= 1e-3, a.integralSteps() + ", " + a.approxError());
        assertEquals(2L * (a.integralSteps() + 1), f.points, "black and white, each point once");
        assertEquals(2L * 257, xrai.evaluations(x), "4 doubled to 256 within 400, both baselines");
    }

    @Test
    void rangesAndRules() {
        for (double bad : new double[] {0, 5e-5, 0.6, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertTrue(
                    PathOptionsTest.refused(() -> new AdaptiveSteps(bad, 400)).contains("targetApproxError"));
        }
        new AdaptiveSteps(1e-4, 1);
        new AdaptiveSteps(0.5, 1000);
        assertTrue(PathOptionsTest.refused(() -> new AdaptiveSteps(0.01, 0)).contains("1..1000"));
        assertTrue(PathOptionsTest.refused(() -> new AdaptiveSteps(0.01, 1001)).contains("got 1001"));
        assertTrue(PathOptionsTest.refused(() ->
                        PathOptions.of(50, IntegrationRule.UNIFORM).withAdaptiveSteps(new AdaptiveSteps(0.01, 400)))
                .contains("trapezoid"));
        assertThrows(IllegalArgumentException.class, () -> IntegrationRule.parse("midpoint"), "not a setting");
    }

    static void assertSame(Attribution want, Attribution got, double tolerance) {
        double[] a = want.inputs().get(0).values();
        double[] b = got.inputs().get(0).values();
        double scale = 0;
        for (double v : a) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], tolerance * Math.max(1, scale), "value " + i);
        }
        assertEquals(want.approxError(), got.approxError(), tolerance);
    }
}
