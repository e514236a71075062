package dev.explainable.serving.runtime.explain;

/**
 * Integrated Gradients: the paths of {@link PathOptions} (straight lines from every baseline set, or a blurred
 * image's path, smoothed where asked) evaluated in shared batches of at most {@link ScoreFunction#maxPointsPerCall()}
 * points (one forward + backward run each); attributions are averaged over the paths (see
 * {@link PathAttributions}).
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
        return PathAttributions.attribute(instance.inputs(), instance.baselineSets(), path, model);
    }

    @Override
    public long evaluations(ExplainedInstance instance) {
        return PathAttributions.evaluations(
                instance.inputs(), instance.baselineSets().size(), path);
    }
}
