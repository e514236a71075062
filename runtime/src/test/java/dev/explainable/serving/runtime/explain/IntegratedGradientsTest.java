package dev.explainable.serving.runtime.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.runtime.work.InvalidInstanceException;

/**
 * approx_error and baselines. The path's points and weights are tested through the explainer that uses them
 * (IntegratedGradientsExplainerTest: exact answers on closed forms, the trapezoid rule's order).
 */
class IntegratedGradientsTest {

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
