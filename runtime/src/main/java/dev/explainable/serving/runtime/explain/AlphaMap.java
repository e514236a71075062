package dev.explainable.serving.runtime.explain;

import java.util.Arrays;

/**
 * Where a refined straight path puts its points: a monotone, piecewise-linear map from a uniform parameter
 * {@code u} in [0, 1] to the path position {@code alpha} in [0, 1], with more of {@code u} where the score changes
 * most. The trapezoid rule at {@code n} steps of {@code u} then has its points at {@code alpha(j / n)} and integrates
 * in {@code alpha}: dense where the model's score moves (a saturated softmax turns over a few percent of the path),
 * sparse where it is flat (the non-uniform placement of arXiv 2302.11107, from a forward-only probe).
 *
 * <p>Why piecewise linear with its knots on the grid of the start steps: every knot {@code u_k} is a multiple of
 * {@code 1 / steps}, so between two grid points the map is linear, the {@code alpha}-midpoint of an interval is the
 * image of its {@code u}-midpoint, and doubling the steps keeps {@code T_2n = (T_n + M_n) / 2} exact, as
 * {@link StepDoubling} needs: every point evaluated stays in the answer.
 *
 * <p>The allocation: the probe's {@code p} segments (equal in {@code alpha}) share the {@code steps} intervals, each
 * at least one (no stretch of the path goes unevaluated), the rest in proportion to the score's absolute change
 * across the segment, by largest remainder.
 */
final class AlphaMap {

    /** Knots: {@code u[k]} (multiples of 1/steps) maps to {@code alpha[k] = k / segments}. */
    private final double[] u;

    private final double[] alpha;
    private final int steps;

    private AlphaMap(double[] u, double[] alpha, int steps) {
        this.u = u;
        this.alpha = alpha;
        this.steps = steps;
    }

    /**
     * The map for {@code steps} intervals from the scores at {@code probe.length} points equally spaced in
     * {@code alpha} (both ends included), or null when there is nothing to place: fewer segments than two, more
     * segments than steps, or a score that does not change or is not finite.
     */
    static AlphaMap placed(double[] probe, int steps) {
        int segments = probe.length - 1;
        if (segments < 2 || segments > steps) {
            return null;
        }
        double[] change = new double[segments];
        double total = 0;
        for (int k = 0; k < segments; k++) {
            change[k] = Math.abs(probe[k + 1] - probe[k]);
            total += change[k];
        }
        if (!(total > 0) || !Double.isFinite(total)) {
            return null;
        }
        int free = steps - segments;
        int[] intervals = new int[segments];
        double[] remainder = new double[segments];
        int given = 0;
        for (int k = 0; k < segments; k++) {
            double share = free * change[k] / total;
            intervals[k] = 1 + (int) Math.floor(share);
            remainder[k] = share - Math.floor(share);
            given += intervals[k];
        }
        for (int k = 0; given > steps; k = (k + 1) % segments) { // floating shares rounded past the free ones
            if (intervals[k] > 1) {
                intervals[k]--;
                given--;
            }
        }
        Integer[] order = new Integer[segments];
        for (int k = 0; k < segments; k++) {
            order[k] = k;
        }
        Arrays.sort(order, (a, b) -> Double.compare(remainder[b], remainder[a])); // stable: ties to the earlier
        for (int i = 0; given < steps; i++) {
            intervals[order[i]]++;
            given++;
        }
        double[] u = new double[segments + 1];
        double[] alpha = new double[segments + 1];
        int at = 0;
        for (int k = 0; k <= segments; k++) {
            u[k] = (double) at / steps;
            alpha[k] = (double) k / segments;
            if (k < segments) {
                at += intervals[k];
            }
        }
        u[segments] = 1.0;
        alpha[segments] = 1.0;
        return new AlphaMap(u, alpha, steps);
    }

    /** The steps the map was made for: a refinement's steps are this times a power of two. */
    int steps() {
        return steps;
    }

    /** The path position of {@code v} in [0, 1]. */
    double alpha(double v) {
        if (v <= 0) {
            return 0;
        }
        if (v >= 1) {
            return 1;
        }
        int k = Arrays.binarySearch(u, v);
        if (k >= 0) {
            return alpha[k];
        }
        int hi = -k - 1;
        int lo = hi - 1;
        return alpha[lo] + (alpha[hi] - alpha[lo]) * (v - u[lo]) / (u[hi] - u[lo]);
    }

    /** The position of point {@code j} of {@code rule} at {@code n} steps (trapezoid or midpoint). */
    double alpha(IntegrationRule rule, int j, int n) {
        return alpha(rule.alpha(j, n));
    }

    /**
     * The weight of point {@code j} in {@code alpha}: the trapezoid's half of its two neighbouring intervals, the
     * midpoint's whole interval; both sum to 1 over the points.
     */
    double weight(IntegrationRule rule, int j, int n) {
        return switch (rule) {
            case TRAPEZOID -> (alpha((double) Math.min(n, j + 1) / n) - alpha((double) Math.max(0, j - 1) / n)) / 2;
            case MIDPOINT -> alpha((double) (j + 1) / n) - alpha((double) j / n);
            case UNIFORM -> throw new IllegalArgumentException("the uniform rule is not refined");
        };
    }
}
