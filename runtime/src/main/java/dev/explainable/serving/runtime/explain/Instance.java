package dev.explainable.serving.runtime.explain;

import java.util.Map;

import dev.explainable.serving.runtime.tensor.HostTensor;

/**
 * One decoded instance after the forward run: its signature input values, the values of the explained tensors
 * (read from inside the graph when the metadata names an internal tensor) and the explained outputs.
 */
public record Instance(Map<String, HostTensor> signatureValues, Map<String, HostTensor> explainedValues,
        Map<String, HostTensor> outputs) {
}
