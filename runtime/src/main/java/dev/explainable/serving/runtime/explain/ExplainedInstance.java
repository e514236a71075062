package dev.explainable.serving.runtime.explain;

import java.util.List;

/**
 * What a method explains: the instance's explained inputs and its baseline sets (set k holds one baseline per
 * input, in input order; see {@link Baselines}).
 */
public record ExplainedInstance(List<InputValues> inputs, List<List<float[]>> baselineSets) {

    public ExplainedInstance {
        inputs = List.copyOf(inputs);
        baselineSets = List.copyOf(baselineSets);
        if (baselineSets.isEmpty()) {
            throw new IllegalArgumentException("an instance needs at least one baseline set");
        }
    }

    /** With one zero baseline per input (the metadata's default). */
    public static ExplainedInstance withZeroBaselines(List<InputValues> inputs) {
        return new ExplainedInstance(
                inputs, List.of(inputs.stream().map(i -> new float[i.size()]).toList()));
    }

    /** The values of all explained inputs: what each point a method evaluates holds. */
    public long elements() {
        long n = 0;
        for (InputValues i : inputs) {
            n += i.size();
        }
        return n;
    }
}
