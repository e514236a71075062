package dev.explainable.serving.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** How many labels a selection explains: what the work bound counts before any label is ranked. */
class LabelSelectionTest {

    @Test
    void topKCountsAtMostTheOutputsLabels() {
        assertEquals(1, LabelSelection.TOP.count(1000));
        assertEquals(5, new LabelSelection(5, null).count(1000));
        assertEquals(3, new LabelSelection(5, null).count(3), "min(topK, labels)");
        assertEquals(3, new LabelSelection(-1, null).count(3), "-1: every label");
        assertEquals(2, new LabelSelection(1, List.of(2, 0)).count(3), "the indices given instead");
    }
}
