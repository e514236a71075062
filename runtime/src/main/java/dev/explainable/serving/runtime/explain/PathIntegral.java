package dev.explainable.serving.runtime.explain;

import java.util.List;

/**
 * One path's integral: its points, and its attributions from the gradients at them. Point indices run
 * {@code 0..points()-1}; the caller writes each point into a batch, evaluates the batch and hands each point's
 * gradients back, in any order, once.
 */
public interface PathIntegral {

    int points();

    /** Index of the point at the path's start (the baseline), or -1 when the path has none. */
    int startIndex();

    /** Index of the point at the path's end (the explained values), or -1 when the path has none. */
    int endIndex();

    /**
     * Writes point {@code j}, per input, into {@code batch.get(i)} at {@code slot * size_i}.
     */
    void point(int j, List<float[]> batch, int slot);

    /** Takes the gradients at point {@code j}: per input, a batch's gradients, this point's at {@code slot * size_i}. */
    void accept(int j, float[][] gradients, int slot);

    /** Per input (in input order), the attributions, once every point has been accepted. */
    List<double[]> attributions();

    /** A new integral of the same path, nothing accepted yet (SmoothGrad's copies; shares the path's data). */
    PathIntegral fresh();
}
