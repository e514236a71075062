package dev.explainable.serving.runtime.model;

/**
 * Where the ops the runtime adds at load time are named: under one scope, apart from the graph as loaded.
 *
 * <p>Why a scope of its own: a node {@code n} of the function called by outer op {@code c} is copied as {@code c/n},
 * as TensorFlow's own inliner names it; TensorFlow's runtime inliner uses the plain {@code c/n} names itself when the
 * original call runs, so the copies ({@link FunctionInliner}), the unrolled loops' folded constants
 * ({@link StaticValues}) and the differentiable sparse ops ({@link SparseOps}) live under {@link #PREFIX}.
 */
final class InlinedNames {

    /** Name scope of the inlined copies. */
    static final String PREFIX = "explain_inlined/";

    private InlinedNames() {}
}
