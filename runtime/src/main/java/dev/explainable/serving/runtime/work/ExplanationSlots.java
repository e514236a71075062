package dev.explainable.serving.runtime.work;

/**
 * How many explanations run at once when explain.admission.max-concurrent-explanations is 0 (the default): as many
 * as the heap holds at their largest, from 2 to 16.
 *
 * <p>Why more than the cores: requests computed together share TensorFlow runs (cross-request batching), and larger
 * runs use the cores better (on 2 cores, 16 at once against 2: the small CNN at 8 clients 0.89x TensorFlow's own
 * batched figure against 0.79x, measured in one run each; docs/development.md). Why a bound
 * from the heap, and why 300 bytes a value: the largest explanation (explain.limits.max-batch-elements values a
 * point: a 591x591 image) held about 320 MB of heap while it ran, its points, gradients, image and JSON together
 * (tools/bench/overload.py in a 2 GiB pod: up to 707 MiB of heap at 2 at once); counting 120 bytes a value, that
 * pod admitted 6, its heap ran at up to 783 of 819 MiB, the cgroup at 1,896 of 2,048 MiB, and it answered 19-20 of
 * them in 30 s against 26 with 2 (the same machine, the same hour).
 */
public final class ExplanationSlots {

    public static final int MIN = 2;
    public static final int MAX = 16;
    /** Heap bytes counted per value of the largest run's points, per explanation. */
    static final long BYTES_PER_VALUE = 300;

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
