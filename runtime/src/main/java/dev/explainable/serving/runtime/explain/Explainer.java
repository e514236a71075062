package dev.explainable.serving.runtime.explain;

/** An attribution method: one explanation per instance, one entry per metadata output. */
public interface Explainer {
    Explanation explain(Instance instance);

    /**
     * How many points the method evaluates the model at to explain this instance, counted before any of that work
     * so that a request can be refused up front (explain.limits.max-request-elements).
     */
    long evaluations(Instance instance);
}
