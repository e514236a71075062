package dev.explainable.serving.runtime.explain;

/**
 * Refining the path integral until {@code approx_error} reaches a target (this project's extension; AI Platform
 * and Vertex only know a fixed step count): the trapezoid rule's steps double from the configured count while the
 * completeness gap is above {@code targetApproxError} and the doubled count stays within {@code maxSteps}
 * ({@link StepDoubling}), or the intervals where the gap is are halved ({@link LocalErrorBisection}).
 *
 * @param targetApproxError the completeness gap to reach, {@link #MIN_TARGET} to {@link #MAX_TARGET}: below 1e-4
 *                          float32 gradients leave too little to gain, above 0.5 the answer would be no answer
 * @param maxSteps          the most steps a refinement may reach, 1 to {@link #MAX_STEPS}: bounds the work, which
 *                          is counted at this cap before any of it starts
 * @param placement         where the points go ({@link StepPlacement}) on straight paths; other paths double
 *                          at equal steps
 * @param maxKeptValues     the most gradient values a {@link StepPlacement#LOCAL_ERROR} refinement may keep over its
 *                          paths and points ({@link LocalErrorBisection#fits}); beyond it the refinement doubles
 */
public record AdaptiveSteps(double targetApproxError, int maxSteps, StepPlacement placement, long maxKeptValues) {

    /**
     * Gradient values a local-error refinement may keep per value of {@code explain.limits.max-batch-elements}: 128
     * bytes. An explanation that keeps that many has an instance of at most {@code 32 / (paths · (cap + 1))} of
     * max-batch-elements values, about a twelfth at the default cap of 400, so with the ~300 bytes a value of its instance
     * an explanation holds besides ({@code ExplanationSlots}) it stays within the 300 bytes a value of
     * max-batch-elements each admitted explanation is counted at, from a cap of 55 steps up.
     */
    public static final int KEPT_VALUES_PER_BATCH_ELEMENT = 32;

    /** What {@link #KEPT_VALUES_PER_BATCH_ELEMENT} gives at the default {@code max-batch-elements} (2^20): 128 MiB. */
    public static final long DEFAULT_MAX_KEPT_VALUES = KEPT_VALUES_PER_BATCH_ELEMENT * (1L << 20);

    public static final double MIN_TARGET = 1e-4;
    public static final double MAX_TARGET = 0.5;
    /** The most steps a model may configure (the contract's bound on integral steps). */
    public static final int MAX_STEPS = 1000;

    public AdaptiveSteps {
        if (!(targetApproxError >= MIN_TARGET && targetApproxError <= MAX_TARGET)) {
            throw new IllegalArgumentException("targetApproxError must be between " + MIN_TARGET + " and " + MAX_TARGET
                    + ", got " + targetApproxError);
        }
        checkMaxSteps(maxSteps);
        if (placement == null) {
            throw new IllegalArgumentException("a refinement needs a step placement");
        }
        if (maxKeptValues < 0) {
            throw new IllegalArgumentException("maxKeptValues must be >= 0, got " + maxKeptValues);
        }
    }

    /** With the kept gradients of the default {@code max-batch-elements}. */
    public AdaptiveSteps(double targetApproxError, int maxSteps, StepPlacement placement) {
        this(targetApproxError, maxSteps, placement, DEFAULT_MAX_KEPT_VALUES);
    }

    /** Equal steps, doubled. */
    public AdaptiveSteps(double targetApproxError, int maxSteps) {
        this(targetApproxError, maxSteps, StepPlacement.EQUAL);
    }

    /** Refuses a step cap out of 1..{@link #MAX_STEPS}. */
    public static void checkMaxSteps(int maxSteps) {
        if (maxSteps < 1 || maxSteps > MAX_STEPS) {
            throw new IllegalArgumentException("the step cap must be 1.." + MAX_STEPS + ", got " + maxSteps);
        }
    }

    /**
     * The most steps a refinement starting at {@code start} can reach: {@code start} doubled while the double stays
     * within the cap ({@code start} itself when it is already at or past it).
     */
    public int finalSteps(int start) {
        int steps = start;
        while (mayDouble(steps)) {
            steps *= 2;
        }
        return steps;
    }

    /** Whether a refinement at {@code steps} may double them once more. */
    boolean mayDouble(int steps) {
        return steps <= maxSteps / 2;
    }

    boolean reached(double approxError) {
        return approxError <= targetApproxError;
    }
}
