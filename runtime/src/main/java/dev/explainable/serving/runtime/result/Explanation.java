package dev.explainable.serving.runtime.result;

import java.util.List;

/** The explanation of one instance: one entry per explained output. */
public record Explanation(List<LabelAttribution> labels) {

    public Explanation {
        labels = List.copyOf(labels);
    }
}
