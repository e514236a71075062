package dev.explainable.serving.runtime.explain;

/** An attribution method: explains one instance's score, seen through a {@link ScoreFunction}. */
public interface Explainer {

    Attribution explain(ExplainedInstance instance, ScoreFunction model);

    /**
     * How many points the method evaluates the model at to explain one output of this instance, counted before any
     * of that work so that a request can be refused up front (explain.limits.max-request-elements).
     */
    long evaluations(ExplainedInstance instance);

    /**
     * Multiply-adds the method spends on the host, beside the model's evaluations, to explain one output of this
     * instance (Blur IG's blurs), counted with them before any of that work. None by default.
     */
    default long hostMultiplyAdds(ExplainedInstance instance) {
        return 0;
    }
}
