package dev.explainable.serving.runtime.explain;

import java.util.Locale;

/**
 * Where a refinement towards a target {@code approx_error} puts its points ({@code explain.step-placement}). Fixed
 * steps never change: they are the integration rule's, bit for bit.
 */
public enum StepPlacement {
    /**
     * Each round halves the intervals that hold the larger half of the error: an interval's own completeness gap
     * is known exactly, since its integral is the score change across it ({@link LocalErrorBisection}).
     */
    LOCAL_ERROR("local-error"),
    /** Placed where a forward-only probe sees the score change, then doubled ({@link StepDoubling}). */
    SCORE_CHANGE("score-change"),
    /** Equal steps from the baseline, doubled. */
    EQUAL("equal");

    private final String setting;

    StepPlacement(String setting) {
        this.setting = setting;
    }

    /** The name {@code explain.step-placement} and the model description use. */
    public String setting() {
        return setting;
    }

    public static StepPlacement parse(String setting) {
        String s = setting.trim().toLowerCase(Locale.ROOT);
        for (StepPlacement p : values()) {
            if (p.setting.equals(s)) {
                return p;
            }
        }
        throw new IllegalArgumentException(
                "explain.step-placement must be local-error, score-change or equal, got '" + setting + "'");
    }
}
