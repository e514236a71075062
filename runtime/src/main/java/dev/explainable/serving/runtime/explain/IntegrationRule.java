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
 * </ul>
 */
public enum IntegrationRule {
    TRAPEZOID,
    UNIFORM;

    public static IntegrationRule parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "explain.integration-rule must be trapezoid or uniform, got '" + s + "'");
        }
    }

    public int points(int steps) {
        return this == TRAPEZOID ? steps + 1 : steps;
    }

    public double alpha(int j, int steps) {
        if (this == TRAPEZOID) {
            return (double) j / steps;
        }
        return steps == 1 ? 1.0 : (double) j / (steps - 1);
    }

    public double weight(int j, int steps) {
        if (this == TRAPEZOID) {
            return (j == 0 || j == steps) ? 0.5 / steps : 1.0 / steps;
        }
        return 1.0 / steps;
    }

    /** Index of the point at the baseline (alpha 0), or -1 when the rule has none. */
    public int first(int steps) {
        return this == UNIFORM && steps == 1 ? -1 : 0;
    }

    /** Index of the point at the input (alpha 1). */
    public int last(int steps) {
        return points(steps) - 1;
    }
}
