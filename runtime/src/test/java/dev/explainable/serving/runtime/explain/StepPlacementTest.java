package dev.explainable.serving.runtime.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

/**
 * Points placed where the score changes ({@link AlphaMap}) on a saturated function with a closed-form IG: the map's
 * knots, its weights, the doubling identity it keeps, and what it saves against equal steps.
 */
class StepPlacementTest {

    static final double[] W = {0.5, -0.25, 1.0};
    static final float[] X = {1f, 2f, 0.75f}; // w . x = 0.75
    static final double WX = 0.75;
    /** sigmoid(K (w . x) - C): along the path from zero it turns from 0 to 1 around alpha = 0.1, within about 0.03. */
    static final double K = 200 / WX;

    static final double C = 20;

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    /** f(x) = sigmoid(K w.x - C): a function of one projection, so IG_i = x_i w_i / (w.x) * (f(x) - f(0)). */
    static AnalyticModel saturated() {
        Function<double[], Double> dot = x -> W[0] * x[0] + W[1] * x[1] + W[2] * x[2];
        return new AnalyticModel(
                x -> sigmoid(K * dot.apply(x) - C),
                x -> {
                    double s = sigmoid(K * dot.apply(x) - C);
                    double d = K * s * (1 - s);
                    return new double[] {d * W[0], d * W[1], d * W[2]};
                },
                64,
                3);
    }

    static double[] exactIg() {
        double change = sigmoid(K * WX - C) - sigmoid(-C);
        double[] ig = new double[3];
        for (int i = 0; i < 3; i++) {
            ig[i] = X[i] * W[i] / WX * change;
        }
        return ig;
    }

    static ExplainedInstance instance() {
        return ExplainedInstance.withZeroBaselines(List.of(AnalyticModel.input("x", X)));
    }

    static Attribution refine(int start, double target, boolean placed, AnalyticModel f) {
        return new IntegratedGradientsExplainer(PathOptions.of(start, IntegrationRule.TRAPEZOID)
                        .withAdaptiveSteps(new AdaptiveSteps(
                                target, 1000, placed ? StepPlacement.SCORE_CHANGE : StepPlacement.EQUAL)))
                .explain(instance(), f);
    }

    @Test
    void knotsLieOnTheStartGridAndTheStepsGoWhereTheScoreChanges() {
        // a probe of 4 segments: the score moves only in the second
        AlphaMap map = AlphaMap.placed(new double[] {0, 0, 1, 1, 1}, 20);
        assertEquals(0, map.alpha(0.0));
        assertEquals(1, map.alpha(1.0));
        // 4 segments share 20 intervals: one each, the other 16 to the second: knots at u = 0, 1/20, 18/20, 19/20
        assertEquals(0.25, map.alpha(1.0 / 20), 1e-15);
        assertEquals(0.5, map.alpha(18.0 / 20), 1e-15);
        assertEquals(0.75, map.alpha(19.0 / 20), 1e-15);
        double previous = -1;
        for (int j = 0; j <= 80; j++) {
            double a = map.alpha(j / 80.0);
            assertTrue(a > previous, "monotone");
            previous = a;
        }
        assertNull(AlphaMap.placed(new double[] {2, 2, 2}, 10), "a flat score keeps equal steps");
        assertNull(AlphaMap.placed(new double[] {0, 1, 2, 3}, 2), "more segments than steps");
    }

    @Test
    void weightsSumToOneAndDoublingStaysTheTrapezoidRule() {
        AlphaMap map = AlphaMap.placed(new double[] {0, 0.1, 0.9, 1.0, 1.0, 1.0}, 10);
        for (int n : new int[] {10, 20, 40}) {
            double t = 0;
            double m = 0;
            for (int j = 0; j <= n; j++) {
                t += map.weight(IntegrationRule.TRAPEZOID, j, n);
            }
            for (int j = 0; j < n; j++) {
                m += map.weight(IntegrationRule.MIDPOINT, j, n);
                // the u-midpoint maps to the alpha-midpoint: the map is linear between grid points
                double left = map.alpha(IntegrationRule.TRAPEZOID, j, n);
                double right = map.alpha(IntegrationRule.TRAPEZOID, j + 1, n);
                assertEquals((left + right) / 2, map.alpha(IntegrationRule.MIDPOINT, j, n), 1e-15);
            }
            assertEquals(1, t, 1e-12);
            assertEquals(1, m, 1e-12);
        }
        // T_2n = (T_n + M_n) / 2 on g(alpha) = alpha^3, placed points
        java.util.function.DoubleUnaryOperator g = a -> a * a * a;
        for (int n : new int[] {10, 20}) {
            double tn = 0;
            double mn = 0;
            double t2n = 0;
            for (int j = 0; j <= n; j++) {
                tn += map.weight(IntegrationRule.TRAPEZOID, j, n)
                        * g.applyAsDouble(map.alpha(IntegrationRule.TRAPEZOID, j, n));
            }
            for (int j = 0; j < n; j++) {
                mn += map.weight(IntegrationRule.MIDPOINT, j, n)
                        * g.applyAsDouble(map.alpha(IntegrationRule.MIDPOINT, j, n));
            }
            for (int j = 0; j <= 2 * n; j++) {
                t2n += map.weight(IntegrationRule.TRAPEZOID, j, 2 * n)
                        * g.applyAsDouble(map.alpha(IntegrationRule.TRAPEZOID, j, 2 * n));
            }
            assertEquals(t2n, (tn + mn) / 2, 1e-14, n + " steps");
        }
    }

    @Test
    void placedPointsReachTheTargetWithFewerEvaluationsAndTheExactAttributions() {
        double target = 1e-3;
        AnalyticModel equal = saturated();
        Attribution byEqualSteps = refine(20, target, false, equal);
        AnalyticModel placed = saturated();
        Attribution byPlacement = refine(20, target, true, placed);
        assertTrue(byEqualSteps.approxError() <= target, "equal steps reach it too: " + byEqualSteps.approxError());
        assertTrue(byPlacement.approxError() <= target, "placed: " + byPlacement.approxError());
        // every evaluation counted, the probe's 11 forward-only points included
        assertEquals(byPlacement.integralSteps() + 1 + 11, placed.points, "each point once, plus the probe");
        assertEquals(byEqualSteps.integralSteps() + 1, equal.points);
        assertTrue(
                placed.points * 2 <= equal.points,
                "placed " + placed.points + " evaluations (" + byPlacement.integralSteps() + " steps), equal steps "
                        + equal.points + " (" + byEqualSteps.integralSteps() + ")");
        double[] exact = exactIg();
        double[] got = byPlacement.inputs().get(0).values();
        double scale = Math.abs(exact[2]);
        for (int i = 0; i < 3; i++) {
            assertEquals(exact[i], got[i], 2 * target * scale, "IG_" + i);
        }
    }

    /**
     * f(x) = relu(w . x) with TensorFlow's gradient at the kink (0 at exactly 0): from a zero baseline the gradient
     * is 0 at the baseline and w everywhere after it, so the trapezoid rule misses half its first interval at every
     * step count, approx_error 1 / (2 n); a placed path takes its start just inside, where the gradient is its limit.
     */
    @Test
    void aKinkAtTheBaselineCostsEqualStepsTheirWholeErrorAndPlacedPathsNone() {
        Function<double[], Double> dot = x -> W[0] * x[0] + W[1] * x[1] + W[2] * x[2];
        java.util.function.Supplier<AnalyticModel> relu = () -> new AnalyticModel(
                x -> Math.max(0, dot.apply(x)), x -> dot.apply(x) > 0 ? W.clone() : new double[3], 64, 3);
        Attribution fixed =
                new IntegratedGradientsExplainer(8, IntegrationRule.TRAPEZOID).explain(instance(), relu.get());
        assertEquals(1.0 / 16, fixed.approxError(), 1e-9, "half of the first of 8 intervals missing");
        AnalyticModel equal = relu.get();
        Attribution byEqualSteps = refine(8, 1e-3, false, equal);
        assertEquals(512, byEqualSteps.integralSteps(), "1/(2n) <= 1e-3 takes 512 steps");
        AnalyticModel placed = relu.get();
        Attribution byPlacement = refine(8, 1e-3, true, placed);
        assertEquals(8, byPlacement.integralSteps(), "met at the start");
        assertTrue(byPlacement.approxError() < 1e-5, "gap " + byPlacement.approxError());
        assertEquals(9 + 5, placed.points, "9 points and the probe's 5");
        double[] got = byPlacement.inputs().get(0).values();
        for (int i = 0; i < 3; i++) {
            assertEquals(X[i] * W[i], got[i], 1e-5, "IG_" + i + " of a linear function past the kink");
        }
    }

    @Test
    void fixedStepsAndOtherPathsAreNotPlaced() {
        List<InputValues> x = instance().inputs();
        assertTrue(!PathOptions.of(50, IntegrationRule.TRAPEZOID).placesPoints(x, 1), "no target: fixed steps");
        PathOptions placed = PathOptions.of(50, IntegrationRule.TRAPEZOID)
                .withAdaptiveSteps(new AdaptiveSteps(0.01, 400, StepPlacement.SCORE_CHANGE));
        assertTrue(placed.placesPoints(x, 1));
        assertEquals(26, placed.probePoints(x, 1));
        assertTrue(
                !placed.withSmoothGrad(new SmoothGradConfig(4, 0.1, java.util.Map.of()))
                        .placesPoints(x, 1),
                "noisy points");
        assertTrue(!PathOptions.of(50, IntegrationRule.TRAPEZOID)
                .withAdaptiveSteps(new AdaptiveSteps(0.01, 400, StepPlacement.EQUAL))
                .placesPoints(x, 1));
    }
}
