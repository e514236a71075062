package dev.explainable.serving.runtime.work;

/**
 * How many explanations run at once when explain.admission.max-concurrent-explanations is 0 (the default): as many
 * as the heap holds at their largest, from 2 to 16.
 *
 * <p>Why more than the cores: requests computed together share TensorFlow runs (cross-request batching), and larger
 * runs use the cores better (on 2 cores, 16 at once against 2: the small CNN at 8 clients 0.89x TensorFlow's own
 * batched figure against 0.79x, measured in one run each; docs/development.md). Why a bound
 * from the heap: an explanation holds about 60 bytes per value of a point (explain.limits.max-batch-elements values
 * at most), so a 2 GiB pod cannot hold 16 of the largest at once; twice that is counted, for the request's JSON and
 * its answer.
 */
public final class ExplanationSlots {

    public static final int MIN = 2;
    public static final int MAX = 16;
    /** Heap bytes counted per value of the largest run's points, per explanation. */
    static final long BYTES_PER_VALUE = 120;

    private ExplanationSlots() {}

    /**
     * @param setting explain.admission.max-concurrent-explanations: a count, or 0 for the heap's
     * @param maxHeapBytes the JVM's heap limit ({@code Runtime.maxMemory()})
     * @param maxBatchElements explain.limits.max-batch-elements
     */
    public static int of(int setting, long maxHeapBytes, long maxBatchElements) {
        if (setting > 0) {
            return setting;
        }
        if (setting < 0) {
            throw new IllegalArgumentException(
                    "explain.admission.max-concurrent-explanations must be 0 (as the heap allows) or more, got "
                            + setting);
        }
        long perExplanation = Math.max(1, BYTES_PER_VALUE * Math.max(1, maxBatchElements));
        long fits = maxHeapBytes / perExplanation;
        return (int) Math.max(MIN, Math.min(MAX, fits));
    }
}
