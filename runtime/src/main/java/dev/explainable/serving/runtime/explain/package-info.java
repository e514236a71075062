/**
 * The attribution methods, free of TensorFlow (as PAIR saliency's): a method sees the model only through
 * {@link dev.explainable.serving.runtime.explain.ScoreFunction} (a batch of points in, scores and gradients out), so
 * its math is tested on analytic functions in milliseconds; the TensorFlow implementation lives in the model layer.
 */
package dev.explainable.serving.runtime.explain;
