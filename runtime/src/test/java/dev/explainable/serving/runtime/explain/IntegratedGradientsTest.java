package dev.explainable.serving.runtime.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.runtime.work.InvalidInstanceException;

/** The pure math: path, weights, attributions, approx_error and baselines. */
class IntegratedGradientsTest {

    @Test
    void trapezoidWeightsSumToOneAndHalveTheEnds() {
        for (int steps : new int[] {1, 2, 7, 50}) {
            double sum = 0;
            for (int j = 0; j < IntegratedGradients.points(steps); j++) {
                sum += IntegratedGradients.weight(j, steps);
            }
            assertEquals(1.0, sum, 1e-12);
            assertEquals(0.5 / steps, IntegratedGradients.weight(0, steps), 1e-15);
            assertEquals(0.5 / steps, IntegratedGradients.weight(steps, steps), 1e-15);
        }
        assertEquals(0.0, IntegratedGradients.alpha(0, 50));
        assertEquals(1.0, IntegratedGradients.alpha(50, 50));
    }

    @Test
    void quadraticModelIsIntegratedExactly() {
        // F(x) = sum x_i^2: dF/dx_i = 2 x_i, linear along the path, so the trapezoid rule is exact even at 3 steps:
        // IG_i = x_i^2 - b_i^2 and completeness holds exactly.
        float[] x = {1f, -2f, 0.5f};
        float[] b = {0.25f, 0.5f, 0f};
        int steps = 3;
        double[] avg = new double[3];
        float[] point = new float[3];
        for (int j = 0; j < IntegratedGradients.points(steps); j++) {
            IntegratedGradients.interpolate(b, x, IntegratedGradients.alpha(j, steps), point, 0);
            for (int i = 0; i < 3; i++) {
                avg[i] += IntegratedGradients.weight(j, steps) * 2 * point[i];
            }
        }
        double[] a = IntegratedGradients.attributions(x, b, avg);
        for (int i = 0; i < 3; i++) {
            assertEquals(x[i] * x[i] - b[i] * b[i], a[i], 1e-6);
        }
        double fx = 1 + 4 + 0.25;
        double fb = 0.0625 + 0.25;
        assertEquals(0.0, IntegratedGradients.approxError(a[0] + a[1] + a[2], fx, fb), 1e-6);
    }

    @Test
    void approxErrorIsTheRelativeCompletenessGap() {
        assertEquals(0.1, IntegratedGradients.approxError(0.9, 2.0, 1.0), 1e-12);
        assertEquals(0.5, IntegratedGradients.approxError(-1.5, 0.0, 1.0), 1e-12);
        assertEquals(0.25, IntegratedGradients.approxError(0.25, 3.0, 3.0), 1e-12, "no change: absolute gap");
    }

    @Test
    void scalarBaselineBroadcastsAndMissingMeansZeros() {
        assertArrayEquals(
                new float[] {0.5f, 0.5f, 0.5f, 0.5f},
                Baselines.forInput("x", List.of(0.5), new long[] {2, 2}).get(0));
        assertArrayEquals(
                new float[3], Baselines.forInput("x", null, new long[] {3}).get(0));
        List<float[]> two = Baselines.forInput("x", List.of(List.of(1, 2), 7), new long[] {2});
        assertArrayEquals(new float[] {1, 2}, two.get(0));
        assertArrayEquals(new float[] {7, 7}, two.get(1));
    }

    @Test
    void baselineOfTheWrongShapeIsAClearError() {
        InvalidInstanceException e = assertThrows(
                InvalidInstanceException.class,
                () -> Baselines.forInput("data", List.of(List.of(1, 2, 3)), new long[] {4}));
        assertEquals(
                "explanation metadata: baseline 0 of input 'data' has shape [3] but the input has shape [4]",
                e.getMessage());
    }

    @Test
    void baselineSetsPairInputsAndBroadcastSingleBaselines() {
        List<InputValues> inputs = List.of(
                new InputValues("a", new long[] {1}, new float[] {5}, null),
                new InputValues("b", new long[] {1}, new float[] {5}, null));
        List<List<float[]>> sets = Baselines.sets(inputs, List.of(List.of(1, 2), List.of(9)));
        assertEquals(2, sets.size());
        assertArrayEquals(new float[] {2}, sets.get(1).get(0));
        assertArrayEquals(new float[] {9}, sets.get(1).get(1));
        assertThrows(
                InvalidInstanceException.class, () -> Baselines.sets(inputs, List.of(List.of(1, 2), List.of(1, 2, 3))));
    }
}
