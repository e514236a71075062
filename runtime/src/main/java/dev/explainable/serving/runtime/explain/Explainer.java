package dev.explainable.serving.runtime.explain;

/** An attribution method: explains one instance's score, seen through a {@link ScoreFunction}. */
public interface Explainer {

    Attribution explain(ExplainedInstance instance, ScoreFunction model);

    /**
     * How many points the method evaluates the model at to explain one output of this instance, counted before any
     * of that work so that a request can be refused up front (explain.limits.max-request-elements).
     */
    long evaluations(ExplainedInstance instance);
}
