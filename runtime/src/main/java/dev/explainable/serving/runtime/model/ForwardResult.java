package dev.explainable.serving.runtime.model;

import java.util.Map;

import dev.explainable.serving.runtime.tensor.HostTensor;

/**
 * One decoded instance after the forward run: its signature input values, the values of the explained tensors
 * (read from inside the graph when the metadata names an internal tensor) and the explained outputs, by key.
 */
public record ForwardResult(
        Map<String, HostTensor> signatureValues,
        Map<String, HostTensor> explainedValues,
        Map<String, HostTensor> outputs) {}
