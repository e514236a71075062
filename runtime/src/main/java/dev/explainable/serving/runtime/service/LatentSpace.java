package dev.explainable.serving.runtime.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.runtime.metadata.ExplanationMetadata;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.model.ModelRunner;
import dev.explainable.serving.runtime.model.ModelSignature;
import dev.explainable.serving.runtime.tensor.HostTensor;
import dev.explainable.serving.runtime.tensor.InstanceDecoder;

/**
 * The model's latent space, where example-based explanations look for neighbours: the signature output the metadata's
 * {@code latentSpaceSource} names, flattened to one float vector per instance. Instances are decoded as requests'
 * are and embedded in the model's own runs (shared with requests' when cross-request batching is on).
 */
public final class LatentSpace {

    private final String outputKey;
    private final ModelRunner runner;
    private final InstanceDecoder decoder;

    private LatentSpace(String outputKey, ModelRunner runner, InstanceDecoder decoder) {
        this.outputKey = outputKey;
        this.runner = runner;
        this.decoder = decoder;
    }

    /**
     * The latent space the metadata names, or null when it names none. {@code latentSpaceSource} may be a signature
     * output's key, a metadata output's name, or a signature output's tensor name; anything else fails the load,
     * listing the outputs it may name.
     */
    static LatentSpace of(ModelSignature model, ModelRunner runner, InstanceDecoder decoder) {
        ExplanationMetadata metadata = model.metadata();
        String source = metadata == null ? null : metadata.latentSpaceSource();
        if (source == null) {
            return null;
        }
        Map<String, String> outputs = model.signatureOutputs();
        if (outputs.containsKey(source)) {
            return new LatentSpace(source, runner, decoder);
        }
        String tensor = source;
        if (metadata.outputs() != null && metadata.outputs().get(source) != null) {
            tensor = metadata.outputs().get(source).outputTensorName();
        }
        for (Map.Entry<String, String> o : outputs.entrySet()) {
            if (o.getValue().equals(tensor)) {
                return new LatentSpace(o.getKey(), runner, decoder);
            }
        }
        throw new MetadataException("latentSpaceSource '" + source + "' names no output of the serving signature (its"
                + " outputs: " + new TreeSet<>(outputs.keySet())
                + "); example-based explanations embed examples with one of them");
    }

    /** The signature output that embeds. */
    public String outputKey() {
        return outputKey;
    }

    /** An instance as requests' are decoded; {@code index} names it in errors. */
    Map<String, HostTensor> decode(JsonNode instance, int index) {
        return decoder.decode(instance, index);
    }

    /** The embeddings of decoded instances, in the model's runs, in order. */
    List<float[]> embed(List<Map<String, HostTensor>> decoded) {
        List<Map<String, HostTensor>> out = runner.predict(decoded, List.of(outputKey));
        List<float[]> embeddings = new ArrayList<>(out.size());
        for (Map<String, HostTensor> row : out) {
            embeddings.add(of(row));
        }
        return embeddings;
    }

    /** The embedding among an instance's predictions (all the signature's outputs). */
    float[] of(Map<String, HostTensor> predictions) {
        HostTensor t = predictions.get(outputKey);
        if (t.dtype() != dev.explainable.serving.runtime.tensor.DType.FLOAT) {
            throw new MetadataException("latentSpaceSource's output '" + outputKey + "' is "
                    + t.dtype().displayName() + "; an embedding must be float32");
        }
        return t.floats().clone();
    }
}
