package dev.explainable.serving.runtime.model;

import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

/**
 * The most rows (path points, perturbations) one run of the model may take, as memory has shown it: unbounded until
 * TensorFlow runs out of memory on a run, then half that run's rows, and lower again if that still does not fit.
 * The batch size is thus fitted to the device's free memory (a GPU's above all, which a large image's activations
 * for {@code explain.batch-size} points can exceed) without a setting per model and device.
 */
public final class RowLimit {

    private static final Logger LOG = Logger.getLogger(RowLimit.class);

    private final AtomicInteger limit = new AtomicInteger(Integer.MAX_VALUE);

    /** The current limit; {@link Integer#MAX_VALUE} while no run has run out of memory. */
    public int get() {
        return limit.get();
    }

    /** True once a run has run out of memory. */
    public boolean lowered() {
        return limit.get() != Integer.MAX_VALUE;
    }

    /** After a run of {@code rows} rows ran out of memory: at most half of them from now on (at least one). */
    public void ranOutOfMemoryAt(int rows) {
        int fitted = Math.max(1, rows / 2);
        int before = limit.getAndAccumulate(fitted, Math::min);
        if (fitted < before) {
            LOG.warnf(
                    "TensorFlow ran out of memory on a run of %d rows: runs of this model take at most %d rows from"
                            + " now on (explain.batch-size fitted to the device's free memory)",
                    rows, fitted);
        }
    }
}
