package dev.explainable.serving.runtime.model;

import org.tensorflow.Output;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * An explained output's ops in the loaded graph (see {@link ExplanationOps}): the output, the mask that selects one
 * label per example, the masked target and its gradients with respect to every explained input (none where the
 * model was loaded without gradients). TensorFlow's side of {@link OutputInfo}; it stays inside {@code model}.
 */
public record ExplainedOutput(
        OutputInfo info, Output<?> tensor, Placeholder<TFloat32> mask, Output<?> target, Output<?>[] gradients) {

    /** The metadata key. */
    public String key() {
        return info.key();
    }
}
