package dev.explainable.serving.contract;

/**
 * Defaults and bounds both sides apply: AI Platform's defaults (gcloud's {@code --num-integral-steps} and
 * {@code --num-paths} are 50). The {@code *_TEXT} twins are compile-time constants for configuration annotations.
 */
public final class ExplanationDefaults {

    public static final int INTEGRAL_STEPS = 50;
    public static final String INTEGRAL_STEPS_TEXT = "" + INTEGRAL_STEPS;
    public static final int PATHS = 50;
    public static final String PATHS_TEXT = "" + PATHS;
    /** Most steps or paths a model may configure. */
    public static final int MAX_STEPS_OR_PATHS = 1000;

    private ExplanationDefaults() {}
}
