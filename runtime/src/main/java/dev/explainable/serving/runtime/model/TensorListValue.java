package dev.explainable.serving.runtime.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.tensorflow.Output;

/**
 * A TensorFlow {@code TensorList} as the inliner sees it while unrolling a loop: its items as tensors of the graph,
 * known one by one, so that reads and writes at static indices become plain tensors, and the final stack a
 * {@code Pack}, all of which have gradients.
 *
 * @param handle the real list op where one was built (what a loop that stays a {@code While} consumes), else null
 * @param items the items, null where not written yet; null as a whole when the length is not static
 */
record TensorListValue(Output<?> handle, List<Output<?>> items) {

    static TensorListValue of(Output<?> handle, int length) {
        return new TensorListValue(handle, new ArrayList<>(Collections.nCopies(length, null)));
    }

    boolean itemsKnown() {
        return items != null;
    }

    /** A new list (no real handle: it exists only in the unrolled graph) with {@code item} at {@code index}. */
    TensorListValue with(int index, Output<?> item) {
        List<Output<?>> copy = new ArrayList<>(items);
        while (copy.size() <= index) {
            copy.add(null);
        }
        copy.set(index, item);
        return new TensorListValue(null, copy);
    }
}
