package dev.explainable.serving.runtime.model;

import java.util.List;

/**
 * A metadata output as the model binds it, without TensorFlow handles: the score explained, selected per example by a
 * mask over its values.
 *
 * @param shape the output's shape without the batch dimension (every size known)
 * @param indexNameMapping the label names by index, or null
 */
public record OutputInfo(String key, long[] shape, List<String> indexNameMapping) {}
