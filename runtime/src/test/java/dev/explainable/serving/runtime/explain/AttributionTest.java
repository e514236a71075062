package dev.explainable.serving.runtime.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

/** An answer with NaN or infinity says what overflowed: the pipeline refuses it instead of sending "NaN". */
class AttributionTest {

    static Attribution answer(double[] values, double baseline, double example, Double approxError) {
        return new Attribution(
                List.of(new InputAttribution("x", new long[] {2}, values)), baseline, example, approxError);
    }

    @Test
    void nonFiniteNamesWhatOverflowed() {
        double[] fine = {1, -2};
        assertNull(answer(fine, 0, 1, 0.01).nonFinite());
        assertNull(answer(fine, 0, 1, null).nonFinite(), "no approx_error is none to check");
        assertEquals(
                "the instance's score",
                answer(fine, 0, Double.POSITIVE_INFINITY, 0.0).nonFinite());
        assertEquals("the baseline's score", answer(fine, Double.NaN, 1, 0.0).nonFinite());
        assertEquals(
                "the attributions of input 'x'",
                answer(new double[] {1, Double.NaN}, 0, 1, 0.0).nonFinite());
        assertEquals("approx_error", answer(fine, 0, 1, Double.NaN).nonFinite());
    }
}
