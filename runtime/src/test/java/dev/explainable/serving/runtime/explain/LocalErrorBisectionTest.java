package dev.explainable.serving.runtime.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.runtime.testing.TestOptions;

/**
 * {@link LocalErrorBisection} on closed forms: a logistic turn so steep that equal steps miss it, whose Integrated
 * Gradients are known exactly; every point is evaluated once and the answer is the trapezoid rule on the points it
 * reached; the cap and the bound on kept gradients hold.
 */
class LocalErrorBisectionTest {

    static final float[] X = {0.9f, 0.5f, 0.7f};
    static final double[] W = {1.0, 2.0, -0.5};

    /** f(x) = sigmoid(k (w . x - c)): along the path from 0 it turns over where alpha w . x = c, over about 4/k. */
    static AnalyticModel logistic(double k, double c, int maxPoints) {
        Function<double[], Double> f = x -> 1 / (1 + Math.exp(-k * (dot(x) - c)));
        return new AnalyticModel(
                f,
                x -> {
                    double s = f.apply(x);
                    double[] g = new double[x.length];
                    for (int i = 0; i < x.length; i++) {
                        g[i] = k * s * (1 - s) * W[i];
                    }
                    return g;
                },
                maxPoints,
                X.length);
    }

    static double dot(double[] x) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += W[i] * x[i];
        }
        return s;
    }

    /** IG from 0 of a function of w . x alone: the score change shared in proportion to x_i w_i. */
    static double[] exact(double k, double c) {
        double wx = dot(new double[] {X[0], X[1], X[2]});
        double change = 1 / (1 + Math.exp(-k * (wx - c))) - 1 / (1 + Math.exp(k * c));
        double[] a = new double[X.length];
        for (int i = 0; i < X.length; i++) {
            a[i] = X[i] * W[i] / wx * change;
        }
        return a;
    }

    static InputValues values(int n) {
        return new InputValues("i", new long[] {n}, new float[n], null);
    }

    static ExplainedInstance instance() {
        return ExplainedInstance.withZeroBaselines(List.of(AnalyticModel.input("x", X)));
    }

    static PathOptions options(int start, double target, int cap, StepPlacement placement) {
        return PathOptions.of(start, IntegrationRule.TRAPEZOID)
                .withAdaptiveSteps(new AdaptiveSteps(target, cap, placement));
    }

    @Test
    void aSteepTurnIsRefinedWhereItIsWithFarFewerPointsThanDoubling() {
        double k = 400;
        double c = 0.61; // w . x = 1.55: the turn at alpha 0.39, about a hundredth of the path wide
        AnalyticModel bisected = logistic(k, c, 16);
        Attribution a = new IntegratedGradientsExplainer(options(8, 1e-3, 1000, StepPlacement.LOCAL_ERROR))
                .explain(instance(), bisected);
        AnalyticModel doubled = logistic(k, c, 16);
        Attribution d = new IntegratedGradientsExplainer(options(8, 1e-3, 1000, StepPlacement.EQUAL))
                .explain(instance(), doubled);

        assertTrue(a.approxError() <= 1e-3, "target met: " + a.approxError());
        assertEquals(a.integralSteps() + 1, bisected.points, "every point evaluated once, all in the answer");
        double[] want = exact(k, c);
        double[] got = a.inputs().get(0).values();
        for (int i = 0; i < X.length; i++) {
            assertEquals(want[i], got[i], 2e-3 * Math.abs(want[i]) + 1e-6, "IG_" + i + " against the closed form");
        }
        assertTrue(
                bisected.points * 3 < doubled.points,
                "bisected " + bisected.points + " points (" + a.approxError() + "), doubled " + doubled.points + " ("
                        + d.approxError() + ")");
    }

    @Test
    void theAnswerIsTheTrapezoidRuleOnThePointsItReached() {
        double k = 60;
        double c = 0.9;
        AnalyticModel f = logistic(k, c, 7);
        List<Double> alphas = new ArrayList<>();
        ScoreFunction recording = new ScoreFunction() {
            @Override
            public Scores at(List<float[]> points, int n, boolean withGradients) {
                for (int p = 0; p < n; p++) {
                    alphas.add((double) points.get(0)[p * X.length] / X[0]);
                }
                return f.at(points, n, withGradients);
            }

            @Override
            public int maxPointsPerCall() {
                return f.maxPointsPerCall();
            }
        };
        Attribution a = new IntegratedGradientsExplainer(options(4, 1e-4, 400, StepPlacement.LOCAL_ERROR))
                .explain(instance(), recording);
        assertTrue(a.integralSteps() > 4, "refined: " + a.integralSteps());

        double[] sorted =
                alphas.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        assertEquals(a.integralSteps() + 1, sorted.length);
        assertTrue(sorted[0] > 0 && sorted[0] < 1e-5, "the start just inside the path: " + sorted[0]);
        double[] g = new double[X.length];
        for (int j = 0; j < sorted.length; j++) {
            double w =
                    ((j > 0 ? sorted[j] - sorted[j - 1] : 0) + (j + 1 < sorted.length ? sorted[j + 1] - sorted[j] : 0))
                            / 2;
            double[] point = new double[X.length];
            for (int i = 0; i < X.length; i++) {
                point[i] = (float) (sorted[j] * X[i]);
            }
            double s = 1 / (1 + Math.exp(-k * (dot(point) - c)));
            for (int i = 0; i < X.length; i++) {
                g[i] += w * (float) (k * s * (1 - s) * W[i]);
            }
        }
        double[] got = a.inputs().get(0).values();
        double sum = 0;
        for (int i = 0; i < X.length; i++) {
            assertEquals(X[i] * g[i], got[i], 1e-5 * Math.abs(got[i]) + 1e-9, "IG_" + i);
            sum += got[i];
        }
        // the gap the refinement stopped at, from the integrand at each point: the answer's own, to rounding
        assertEquals(
                IntegratedGradients.approxError(sum, a.exampleScore(), a.baselineScore()),
                a.approxError(),
                1e-9,
                "approx_error is the answer's own completeness gap");
        assertTrue(a.approxError() <= 1e-4, "reached: " + a.approxError());
    }

    @Test
    void theCapBoundsEveryPathAndTheGapIsReportedAsItIs() {
        // a turn a ten-thousandth wide, two baseline sets: each path refines on its own, within the cap
        AnalyticModel f = logistic(40_000, 0.61, 64);
        ExplainedInstance two = new ExplainedInstance(
                List.of(AnalyticModel.input("x", X)),
                List.of(List.of(new float[X.length]), List.of(new float[] {0.1f, 0.1f, 0.1f})));
        Attribution a =
                new IntegratedGradientsExplainer(options(10, 1e-4, 60, StepPlacement.LOCAL_ERROR)).explain(two, f);
        assertEquals(60, a.integralSteps(), "stopped by the cap");
        assertTrue(f.points <= 2 * 61, "at most the cap's points per path: " + f.points);
        assertTrue(a.approxError() > 1e-4, "reported above the target, as it is: " + a.approxError());
    }

    @Test
    void xraiRefinesItsBlackAndWhitePathsTogetherWhereTheErrorIs() {
        ExplainedInstance x = StepDoublingTest.xraiImage();
        XraiExplainer xrai = new XraiExplainer(
                options(4, 1e-3, 400, StepPlacement.LOCAL_ERROR),
                TestOptions.from().attribution().xrai());
        AnalyticModel f = StepDoublingTest.xraiModel();
        Attribution a = xrai.explain(x, f);
        assertTrue(a.integralSteps() > 4 && a.approxError() <= 1e-3, a.integralSteps() + ", " + a.approxError());
        assertTrue(
                f.points >= a.integralSteps() + 1 + 5 && f.points <= 2L * (a.integralSteps() + 1),
                "each path's points once: " + f.points + " for " + a.integralSteps() + " steps at most");
        assertEquals(2L * 401, xrai.evaluations(x), "counted at the cap on both baselines");
    }

    @Test
    void whereTheKeptGradientsWouldNotFitTheRefinementDoubles() {
        PathOptions local = options(50, 0.01, 1000, StepPlacement.LOCAL_ERROR);
        List<InputValues> small = instance().inputs();
        assertEquals(Optional.of(StepPlacement.LOCAL_ERROR), local.placement(small, 2));
        assertEquals(1001, local.mostWork(small, 1).pointsPerPath(), "counted at the cap itself");

        // 96 x 96 x 3 at the cap of 1000: 27.7 M values kept, within the bound; 224 x 224 x 3: not
        List<InputValues> mobile =
                List.of(new InputValues("i", new long[] {96 * 96 * 3}, new float[96 * 96 * 3], null));
        assertEquals(Optional.of(StepPlacement.LOCAL_ERROR), local.placement(mobile, 1));
        assertEquals(Optional.of(StepPlacement.SCORE_CHANGE), local.placement(mobile, 2), "XRAI's two paths");
        List<InputValues> wide = List.of(new InputValues("i", new long[] {50_000}, new float[50_000], null));
        PathOptions lowCap = options(50, 0.01, 400, StepPlacement.LOCAL_ERROR);
        assertEquals(Optional.of(StepPlacement.LOCAL_ERROR), lowCap.placement(wide, 1), "401 x 50,000 kept");
        assertEquals(
                Optional.of(StepPlacement.SCORE_CHANGE),
                lowCap.withSteps(1000).placement(wide, 1),
                "a start beyond the cap is what the refinement keeps: 1,001 x 50,000");
        assertEquals(
                1001,
                options(1000, 0.01, 400, StepPlacement.LOCAL_ERROR)
                        .mostWork(small, 1)
                        .pointsPerPath());
        assertEquals(
                Optional.of(StepPlacement.EQUAL),
                lowCap.withSteps(3).placement(List.of(values(1 << 20)), 1),
                "too large to keep, too few start steps to place: equal steps");
        PathOptions smallBound = PathOptions.of(50, IntegrationRule.TRAPEZOID)
                .withAdaptiveSteps(new AdaptiveSteps(0.01, 400, StepPlacement.LOCAL_ERROR, 401L * 1000));
        assertEquals(Optional.of(StepPlacement.LOCAL_ERROR), smallBound.placement(List.of(values(1000)), 1));
        assertEquals(
                Optional.of(StepPlacement.SCORE_CHANGE),
                smallBound.placement(List.of(values(1001)), 1),
                "the bound the settings give (32 values a value of max-batch-elements)");
        List<InputValues> large =
                List.of(new InputValues("i", new long[] {224 * 224 * 3}, new float[224 * 224 * 3], null));
        assertEquals(Optional.of(StepPlacement.SCORE_CHANGE), local.placement(large, 1));
        assertEquals(801, local.mostWork(large, 1).pointsPerPath(), "doubling's last count within the cap");
        assertEquals(26, local.probePoints(large, 1), "the probe of score-change");

        assertEquals(
                Optional.of(StepPlacement.EQUAL),
                local.withSmoothGrad(new SmoothGradConfig(4, 0.1, java.util.Map.of()))
                        .placement(small, 1),
                "noisy paths double at equal steps");
        assertEquals(
                Optional.empty(), PathOptions.of(50, IntegrationRule.TRAPEZOID).placement(small, 1), "fixed");
    }
}
