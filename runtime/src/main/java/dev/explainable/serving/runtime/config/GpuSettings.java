package dev.explainable.serving.runtime.config;

import java.util.OptionalDouble;

/**
 * How TensorFlow takes GPU memory, for one model per pod (explain.gpu.*): by default it grows as the model needs it;
 * with {@code memoryFraction} TensorFlow takes that fraction of each visible GPU at load and never more. The CPU
 * build of TensorFlow ignores both.
 *
 * @param memoryFraction explain.gpu.memory-fraction, in (0, 1]; empty: memory growth
 */
public record GpuSettings(OptionalDouble memoryFraction) {

    public GpuSettings {
        if (memoryFraction.isPresent()) {
            double f = memoryFraction.getAsDouble();
            if (!(f > 0 && f <= 1)) {
                throw new IllegalArgumentException(
                        "explain.gpu.memory-fraction must be greater than 0 and at most 1, got " + f);
            }
        }
    }
}
