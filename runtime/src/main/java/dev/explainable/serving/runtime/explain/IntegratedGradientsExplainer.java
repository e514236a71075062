package dev.explainable.serving.runtime.explain;

import java.util.List;

/**
 * Integrated Gradients: the paths of {@link PathOptions} (straight lines from every baseline set, or a blurred
 * image's path, smoothed where asked) evaluated in shared batches of at most {@link ScoreFunction#maxPointsPerCall()}
 * points (one forward + backward run each); attributions are averaged over the paths (see
 * {@link PathAttributions}), or with a target {@code approx_error} refined where the error is
 * ({@link LocalErrorBisection}) or by doubling the steps ({@link StepDoubling}).
 */
public final class IntegratedGradientsExplainer implements Explainer {

    private final PathOptions options;
    private final GradientPath path;

    public IntegratedGradientsExplainer(PathOptions options) {
        this.options = options;
        this.path = options.gradientPath();
    }

    /** Plain Integrated Gradients. */
    public IntegratedGradientsExplainer(int steps, IntegrationRule rule) {
        this(PathOptions.of(steps, rule));
    }

    public PathOptions options() {
        return options;
    }

    @Override
    public Attribution explain(ExplainedInstance instance, ScoreFunction model) {
        return attribute(instance.inputs(), instance.baselineSets(), options, path, model);
    }

    /** The paths' attributions at the options' steps, or refined towards their target error. */
    static Attribution attribute(
            List<InputValues> inputs,
            List<List<float[]>> baselineSets,
            PathOptions options,
            GradientPath path,
            ScoreFunction model) {
        return options.placement(inputs, baselineSets.size())
                .map(p -> p == StepPlacement.LOCAL_ERROR
                        ? LocalErrorBisection.attribute(inputs, baselineSets, options, model)
                        : StepDoubling.attribute(inputs, baselineSets, options, model))
                .orElseGet(() -> PathAttributions.attribute(inputs, baselineSets, path, model));
    }

    /** Counted at the most steps a refinement may reach. */
    @Override
    public long evaluations(ExplainedInstance instance) {
        int paths = instance.baselineSets().size();
        return PathAttributions.evaluations(instance.inputs(), paths, options.mostWork(instance.inputs(), paths))
                + (long) paths * options.probePoints(instance.inputs(), paths);
    }

    @Override
    public long hostMultiplyAdds(ExplainedInstance instance) {
        return PathAttributions.hostMultiplyAdds(
                instance.inputs(),
                instance.baselineSets().size(),
                options.mostWork(instance.inputs(), instance.baselineSets().size()),
                options.rounds());
    }
}
