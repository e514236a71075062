package dev.explainable.serving.runtime.model;

import dev.explainable.serving.runtime.tensor.HostTensor;

/**
 * The score explained for one output: the top class of a vector output (index -1 for a scalar per example), as
 * AI Platform explains it, its display name where the metadata maps one, and the mask that selects it.
 */
public record LabelTarget(int labelIndex, String labelName, HostTensor mask) {}
