package dev.explainable.serving.runtime.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.runtime.testing.TestOptions;

/** XRAI on a closed-form image function: the region the function reads ranks first. */
class XraiExplainerTest {

    static final int H = 32;
    static final int W = 32;

    @Test
    void theRegionTheScoreDependsOnRanksAboveTheRest() {
        // Left half 0.2, right half 0.8, RGB; the score is the sum of the right half's pixels. IG from the black
        // baseline (0.2) credits the right half 0.6 per value, from the white one (0.8) nothing: the right half's
        // region is the densest and ranks first.
        float[] image = new float[H * W * 3];
        double[] w = new double[image.length];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                for (int c = 0; c < 3; c++) {
                    int i = (y * W + x) * 3 + c;
                    image[i] = x < W / 2 ? 0.2f : 0.8f;
                    w[i] = x < W / 2 ? 0 : 1;
                }
            }
        }
        AnalyticModel f = AnalyticModel.linear(w, 0, 64, image.length);
        ExplainedInstance instance = ExplainedInstance.withZeroBaselines(
                List.of(new InputValues("image", new long[] {H, W, 3}, image, null)));
        XraiExplainer xrai = new XraiExplainer(
                10, IntegrationRule.TRAPEZOID, TestOptions.from().attribution().xrai());
        Attribution a = xrai.explain(instance, f);

        InputAttribution map = a.inputs().get(0);
        assertArrayEquals(new long[] {H, W}, map.shape(), "one value per pixel");
        double leftMax = Double.NEGATIVE_INFINITY;
        double rightMin = Double.POSITIVE_INFINITY;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < 8; x++) { // away from the boundary, which dilated segments cross
                leftMax = Math.max(leftMax, map.values()[y * W + x]);
                rightMin = Math.min(rightMin, map.values()[y * W + W - 1 - x]);
            }
        }
        assertTrue(rightMin > leftMax, "right " + rightMin + " > left " + leftMax);
        assertEquals(0.8 * 16 * 32 * 3, a.exampleScore(), 1e-2, "the score at the image");
        assertEquals(0, a.approxError(), 1e-4, "a linear score is integrated exactly");
        assertEquals(2 * 11, xrai.evaluations(instance), "two baselines, 11 points each");
    }
}
