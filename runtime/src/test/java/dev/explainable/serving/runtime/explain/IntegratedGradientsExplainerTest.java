package dev.explainable.serving.runtime.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Integrated Gradients on closed-form functions: exact answers, completeness, the integration error's order. */
class IntegratedGradientsExplainerTest {

    @Test
    void linearFunctionGetsWeightTimesDistanceFromEachBaselineAveraged() {
        double[] w = {2, -1, 0.5, 3};
        AnalyticModel f = AnalyticModel.linear(w, 1, 64, 4);
        float[] x = {1, 2, 3, 4};
        List<InputValues> inputs = List.of(AnalyticModel.input("x", x));
        // two baselines, 0 and 1: IG is linear in the baseline, so the average is w (x - 0.5)
        ExplainedInstance instance = new ExplainedInstance(inputs, Baselines.sets(inputs, List.of(List.of(0, 1))));
        Attribution a = new IntegratedGradientsExplainer(5, IntegrationRule.TRAPEZOID).explain(instance, f);
        for (int i = 0; i < 4; i++) {
            assertEquals(w[i] * (x[i] - 0.5), a.inputs().get(0).values()[i], 1e-6);
        }
        assertEquals((f.value(0, 0, 0, 0) + f.value(1, 1, 1, 1)) / 2, a.baselineScore(), 1e-6);
        assertEquals(f.value(1, 2, 3, 4), a.exampleScore(), 1e-6);
        assertEquals(0, a.approxError(), 1e-6);
    }

    @Test
    void productIsSplitEquallyAndTheTrapezoidRuleIsExactForLinearGradients() {
        // f = x0 x1 from 0: the gradient (t x1, t x0) is linear along the path, so IG_i = x0 x1 / 2 at any steps
        AnalyticModel f = AnalyticModel.product(64);
        ExplainedInstance instance = ExplainedInstance.withZeroBaselines(List.of(AnalyticModel.input("x", 3, -4)));
        for (int steps : new int[] {1, 2, 50}) {
            Attribution a = new IntegratedGradientsExplainer(steps, IntegrationRule.TRAPEZOID).explain(instance, f);
            assertEquals(-6, a.inputs().get(0).values()[0], 1e-5, steps + " steps");
            assertEquals(-6, a.inputs().get(0).values()[1], 1e-5, steps + " steps");
            assertEquals(0, a.approxError(), 1e-6);
        }
    }

    @Test
    void integrationErrorFallsWithTheSquareOfTheStepsAndIsReported() {
        // f = exp(w . x): completeness holds for the exact integral; the trapezoid's gap falls as 1/steps^2
        double[] w = {1.5, -0.5, 1.0};
        AnalyticModel f = AnalyticModel.exponential(w, 64);
        ExplainedInstance instance =
                ExplainedInstance.withZeroBaselines(List.of(AnalyticModel.input("x", 1f, 0.5f, 2f)));
        double exact = f.value(1, 0.5, 2) - f.value(0, 0, 0);
        double previous = Double.NaN;
        for (int steps : new int[] {10, 20, 40}) {
            Attribution a = new IntegratedGradientsExplainer(steps, IntegrationRule.TRAPEZOID).explain(instance, f);
            double gap = Math.abs(a.sum() - exact) / exact;
            assertEquals(gap, a.approxError(), 1e-4, "approx_error is the completeness gap");
            if (!Double.isNaN(previous)) {
                assertEquals(4.0, previous / gap, 0.3, "doubling the steps quarters the error");
            }
            previous = gap;
        }
        // PAIR's uniform rule is a Riemann sum: first order, larger error at the same number of points
        Attribution uniform = new IntegratedGradientsExplainer(41, IntegrationRule.UNIFORM).explain(instance, f);
        assertTrue(uniform.approxError() > 10 * previous, uniform.approxError() + " vs " + previous);
    }

    @Test
    void pointsAreEvaluatedInBatchesOfTheModelsSizeWithTheSameResult() {
        AnalyticModel small = AnalyticModel.exponential(new double[] {0.3, 0.7}, 3);
        AnalyticModel large = AnalyticModel.exponential(new double[] {0.3, 0.7}, 1000);
        List<InputValues> inputs = List.of(AnalyticModel.input("x", 2, 1));
        ExplainedInstance instance = new ExplainedInstance(inputs, Baselines.sets(inputs, List.of(List.of(0, -1))));
        IntegratedGradientsExplainer ig = new IntegratedGradientsExplainer(10, IntegrationRule.TRAPEZOID);
        Attribution a = ig.explain(instance, small);
        Attribution b = ig.explain(instance, large);
        assertEquals(22, small.points, "11 points per baseline, 2 baselines");
        assertEquals(8, small.calls, "ceil(22 / 3)");
        assertEquals(1, large.calls);
        assertEquals(22, ig.evaluations(instance), "counted before the work");
        for (int i = 0; i < 2; i++) {
            assertEquals(b.inputs().get(0).values()[i], a.inputs().get(0).values()[i], 1e-12);
        }
    }

    @Test
    void pointsBeyondOneCallAreSplitIntoEqualCallsHandedInAsManyAtOnceAsTheModelRuns() {
        double[] w = {0.3, 0.7};
        ExplainedInstance instance = ExplainedInstance.withZeroBaselines(List.of(AnalyticModel.input("x", 2, 1)));
        IntegratedGradientsExplainer ig = new IntegratedGradientsExplainer(100, IntegrationRule.TRAPEZOID);
        AnalyticModel oneCall = AnalyticModel.exponential(w, 1000);
        AnalyticModel serial = AnalyticModel.exponential(w, 37);
        AnalyticModel twoAtOnce = AnalyticModel.exponential(w, 37);
        twoAtOnce.concurrentCalls = 2;
        Attribution one = ig.explain(instance, oneCall);
        Attribution a = ig.explain(instance, serial);
        Attribution b = ig.explain(instance, twoAtOnce);
        // 101 points in calls of at most 37: three of equal size, not 37 + 37 + 27
        assertEquals(List.of(101), oneCall.callPoints);
        assertEquals(List.of(34, 34, 33), serial.callPoints);
        assertEquals(List.of(), serial.handedTogether, "one call at a time");
        assertEquals(List.of(34, 34, 33), twoAtOnce.callPoints);
        assertEquals(List.of(2), twoAtOnce.handedTogether, "two calls at once, then the last alone");
        // every point is integrated in path order whatever the calls: the same answer to the bit
        for (Attribution x : List.of(a, b)) {
            assertArrayEquals(one.inputs().get(0).values(), x.inputs().get(0).values());
            assertEquals(one.approxError(), x.approxError());
            assertEquals(one.exampleScore(), x.exampleScore());
        }
    }

    @Test
    void severalInputsAreInterpolatedTogether() {
        // f = 2 a0 - b0 + 3 b1 over two inputs
        AnalyticModel f = AnalyticModel.linear(new double[] {2, -1, 3}, 0, 64, 1, 2);
        List<InputValues> inputs = List.of(AnalyticModel.input("a", 4), AnalyticModel.input("b", 1, 2));
        Attribution a = new IntegratedGradientsExplainer(3, IntegrationRule.TRAPEZOID)
                .explain(ExplainedInstance.withZeroBaselines(inputs), f);
        assertEquals("a", a.inputs().get(0).input());
        assertEquals(8, a.inputs().get(0).values()[0], 1e-6);
        assertEquals(-1, a.inputs().get(1).values()[0], 1e-6);
        assertEquals(6, a.inputs().get(1).values()[1], 1e-6);
        assertEquals(0, a.approxError(), 1e-6, "linear: complete at any steps");
    }
}
