package dev.explainable.serving.runtime.explain;

import java.util.Locale;

/**
 * How the path integral of Integrated Gradients is discretized.
 *
 * <ul>
 * <li>{@code trapezoid} (default): {@code steps} intervals, {@code steps + 1} points, ends weighted 1/2 — error
 * falls as 1/steps^2.</li>
 * <li>{@code uniform}: {@code steps} points {@code linspace(0, 1, steps)} with equal weights, exactly as PAIR's
 * saliency library computes IG ({@code sum(grads) * (x - baseline) / steps}); for numbers comparable with it.</li>
 * <li>{@link #MIDPOINT}: not a setting. {@code steps} points at the middles of the trapezoid rule's intervals,
 * weight 1/steps, no point at either end. It is what refining the trapezoid rule evaluates
 * ({@link StepDoubling}): {@code T_2n = (T_n + M_n) / 2}, so the trapezoid rule at twice the steps costs only the
 * n midpoints, and every earlier point is reused.</li>
 * </ul>
 */
public enum IntegrationRule {
    TRAPEZOID,
    UNIFORM,
    MIDPOINT;

    /** The rules a setting may name: {@code trapezoid} and {@code uniform}. */
    public static IntegrationRule parse(String s) {
        String name = s.trim().toUpperCase(Locale.ROOT);
        if (name.equals(TRAPEZOID.name()) || name.equals(UNIFORM.name())) {
            return valueOf(name);
        }
        throw new IllegalArgumentException("explain.integration-rule must be trapezoid or uniform, got '" + s + "'");
    }

    public int points(int steps) {
        return this == TRAPEZOID ? steps + 1 : steps;
    }

    public double alpha(int j, int steps) {
        return switch (this) {
            case TRAPEZOID -> (double) j / steps;
            case UNIFORM -> steps == 1 ? 1.0 : (double) j / (steps - 1);
            case MIDPOINT -> (j + 0.5) / steps;
        };
    }

    public double weight(int j, int steps) {
        if (this == TRAPEZOID) {
            return (j == 0 || j == steps) ? 0.5 / steps : 1.0 / steps;
        }
        return 1.0 / steps;
    }

    /** Index of the point at the baseline (alpha 0), or -1 when the rule has none. */
    public int first(int steps) {
        return this == MIDPOINT || (this == UNIFORM && steps == 1) ? -1 : 0;
    }

    /** Index of the point at the input (alpha 1), or -1 when the rule has none. */
    public int last(int steps) {
        return this == MIDPOINT ? -1 : points(steps) - 1;
    }
}
