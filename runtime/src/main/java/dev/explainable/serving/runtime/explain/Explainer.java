package dev.explainable.serving.runtime.explain;

/** An attribution method: one explanation per instance, one entry per metadata output. */
public interface Explainer {
    Explanation explain(Instance instance);
}
