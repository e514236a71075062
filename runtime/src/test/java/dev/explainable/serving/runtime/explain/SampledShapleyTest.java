package dev.explainable.serving.runtime.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.runtime.work.LimitExceededException;

/** Sampled Shapley's math and the method on closed-form functions, with no model and no gradients. */
class SampledShapleyTest {

    @Test
    void permutationsAreUniformAndCreditsTelescope() {
        SplittableRandom r = new SplittableRandom(1);
        int[] firstCounts = new int[4];
        for (int i = 0; i < 40_000; i++) {
            int[] p = SampledShapley.permutation(4, r);
            assertEquals(6, Arrays.stream(p).sum());
            firstCounts[p[0]]++;
        }
        for (int c : firstCounts) {
            assertEquals(10_000, c, 400, "each player first in a quarter of the permutations");
        }
        double[] c = SampledShapley.credits(new int[] {2, 0, 1}, new float[] {1f, 3f, 2.5f, 7f});
        assertEquals(List.of(-0.5, 4.5, 2.0), List.of(c[0], c[1], c[2]));
        assertNull(SampledShapley.approxError(new double[] {1}, new double[] {1}, 1, 1), "one path: no estimate");
    }

    @Test
    void maxOfTwoFeaturesConvergesToItsShapleyValues() {
        // v({}) = 0, v({0}) = 1, v({1}) = 2, v({0,1}) = 2: phi_0 = (1 + 0) / 2, phi_1 = (2 + 1) / 2
        AnalyticModel f = AnalyticModel.max(64);
        ExplainedInstance instance = ExplainedInstance.withZeroBaselines(List.of(AnalyticModel.input("x", 1, 2)));
        Attribution a = new SampledShapleyExplainer(400, 7).explain(instance, f);
        double[] phi = a.inputs().get(0).values();
        assertEquals(2, phi[0] + phi[1], 1e-6, "credits telescope: completeness is exact");
        assertEquals(0.5, phi[0], 0.1);
        assertEquals(1.5, phi[1], 0.1);
        double stderr = a.approxError() * 2;
        assertTrue(Math.abs(phi[0] - 0.5) <= 4 * stderr, Math.abs(phi[0] - 0.5) + " vs standard error " + stderr);
        assertEquals(400 * 3, f.points, "paths x (players + 1) points");
        assertEquals(f.points, new SampledShapleyExplainer(400, 7).evaluations(instance));
    }

    @Test
    void additiveFunctionsAreExactWithOnePathAndZeroError() {
        AnalyticModel f = AnalyticModel.linear(new double[] {2, -1, 0.5}, 3, 4, 3);
        ExplainedInstance instance = ExplainedInstance.withZeroBaselines(List.of(AnalyticModel.input("x", 1, 2, 3)));
        Attribution one = new SampledShapleyExplainer(1, 0).explain(instance, f);
        assertEquals(
                List.of(2.0, -2.0, 1.5),
                Arrays.stream(one.inputs().get(0).values()).boxed().toList());
        assertNull(one.approxError(), "one path: no estimate");
        Attribution many = new SampledShapleyExplainer(5, 0).explain(instance, f);
        assertEquals(0, many.approxError(), 1e-6);
        assertEquals(f.value(0, 0, 0), many.baselineScore(), 1e-6);
        assertEquals(f.value(1, 2, 3), many.exampleScore(), 1e-6);
    }

    @Test
    void inputsOfOneGroupAreOnePlayerAndShareItsCredit() {
        // f = x0 * x1 with the two features in two inputs of one group: one player gets all of f(x) - f(0) = 6
        AnalyticModel f = new AnalyticModel(x -> x[0] * x[1], null, 64, 1, 1);
        List<InputValues> inputs = List.of(
                new InputValues("a", new long[] {1}, new float[] {2}, "g"),
                new InputValues("b", new long[] {1}, new float[] {3}, "g"));
        Attribution a = new SampledShapleyExplainer(3, 0).explain(ExplainedInstance.withZeroBaselines(inputs), f);
        assertEquals(3, a.inputs().get(0).values()[0], 1e-6);
        assertEquals(3, a.inputs().get(1).values()[0], 1e-6);
        assertEquals(0, a.approxError(), 1e-9, "one player: every permutation is the same");
    }

    @Test
    void tooManyPlayersAreRefusedBeforeAnyWork() {
        AnalyticModel f = AnalyticModel.linear(new double[3000], 0, 64, 3000);
        ExplainedInstance instance = ExplainedInstance.withZeroBaselines(
                List.of(new InputValues("image", new long[] {3000}, new float[3000], null)));
        LimitExceededException e = assertThrows(
                LimitExceededException.class, () -> new SampledShapleyExplainer(10, 0).evaluations(instance));
        assertTrue(e.getMessage().contains("group_name"), e.getMessage());
        assertEquals(0, f.calls);
    }
}
