package dev.explainable.serving.runtime.model;

import org.tensorflow.Output;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * An explained output's ops in the loaded graph (see {@link ExplanationOps}): the output, the mask that selects one
 * label per example, the ops with which a run chooses a row's label itself (its top class at another row of the run;
 * null for a scalar output, which has one label), the masked target and its gradients with respect to every
 * explained input (none where the model was loaded without gradients). TensorFlow's side of {@link OutputInfo}; it
 * stays inside {@code model}.
 */
public record ExplainedOutput(
        OutputInfo info,
        Output<?> tensor,
        Placeholder<TFloat32> mask,
        Placeholder<TInt32> labelSource,
        Placeholder<TFloat32> labelChosen,
        Output<TInt64> topLabel,
        Output<?> target,
        Output<?>[] gradients) {

    /** True when a run can choose each row's label itself (a vector output). */
    public boolean choosesLabels() {
        return labelSource != null;
    }

    /** The metadata key. */
    public String key() {
        return info.key();
    }
}
