package dev.explainable.serving.runtime.model;

import org.tensorflow.Output;

/**
 * An explained input's tensor in the loaded graph (its encoded tensor where it has one): what the runs feed path
 * points and perturbations to. TensorFlow's side of {@link InputInfo}; it stays inside {@code model}.
 */
public record ExplainedInput(InputInfo info, Output<?> tensor) {

    /** The metadata key. */
    public String key() {
        return info.key();
    }
}
