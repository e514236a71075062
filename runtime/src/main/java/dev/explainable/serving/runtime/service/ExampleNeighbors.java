package dev.explainable.serving.runtime.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.runtime.config.ExampleOptions;
import dev.explainable.serving.runtime.examples.ExampleSet;
import dev.explainable.serving.runtime.examples.Neighbor;
import dev.explainable.serving.runtime.tensor.HostTensor;
import dev.explainable.serving.runtime.work.InvalidRequestException;

/**
 * Example-based explanations of a model: its latent space and its example set. An instance is embedded in the same
 * run that predicts it, and its nearest examples are searched; the work per request is the model's run plus at most
 * {@code max-neighbor-count} neighbours per instance from a search bounded by the set.
 */
public final class ExampleNeighbors {

    /** Each instance's neighbours (nearest first), its embedding where asked, and the predictions (none for embeddings). */
    public record Answers(
            List<List<Neighbor>> neighbors, List<float[]> embeddings, List<Map<String, HostTensor>> predictions) {}

    private final LatentSpace latent;
    private final ExampleSet set;
    private final ExampleOptions options;

    ExampleNeighbors(LatentSpace latent, ExampleSet set, ExampleOptions options) {
        this.latent = latent;
        this.set = set;
        this.options = options;
    }

    /** The example set, its report and its kept lines. */
    public ExampleSet set() {
        return set;
    }

    /** The most neighbours a request may ask for. */
    public int maxNeighborCount() {
        return options.maxNeighborCount();
    }

    Answers answer(
            List<JsonNode> instances,
            List<Map<String, HostTensor>> decoded,
            java.util.function.Function<List<Map<String, HostTensor>>, List<Map<String, HostTensor>>> predict,
            NeighborRequest request) {
        int k = request.neighborCount() == null ? options.neighborCount() : request.neighborCount();
        if (k < 1 || k > options.maxNeighborCount()) {
            throw new InvalidRequestException("examplesOverride.neighborCount must be 1 to "
                    + options.maxNeighborCount() + " (explain.examples.max-neighbor-count), got " + k);
        }
        List<float[]> embeddings = new ArrayList<>(instances.size());
        List<Map<String, HostTensor>> predictions = List.of();
        if (request.instancesEmbedded()) {
            for (int i = 0; i < instances.size(); i++) {
                embeddings.add(embedding(instances.get(i), i));
            }
        } else {
            predictions = predict.apply(decoded);
            for (Map<String, HostTensor> p : predictions) {
                embeddings.add(latent.of(p));
            }
        }
        List<List<Neighbor>> neighbors = new ArrayList<>(embeddings.size());
        for (float[] e : embeddings) {
            neighbors.add(set.neighbors(e, k));
        }
        return new Answers(neighbors, request.returnEmbeddings() ? embeddings : null, predictions);
    }

    /** An instance given as an embedding: a list of the set's number of finite numbers. */
    private float[] embedding(JsonNode instance, int index) {
        if (instance == null || !instance.isArray() || instance.size() != set.dimensions()) {
            throw new InvalidRequestException("instances[" + index + "]: with examplesOverride.dataFormat EMBEDDINGS"
                    + " an instance is a list of " + set.dimensions() + " numbers (the latent output '"
                    + latent.outputKey() + "')");
        }
        float[] out = new float[set.dimensions()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = instance.get(i);
            if (!v.isNumber() || !Float.isFinite(v.floatValue())) {
                throw new InvalidRequestException("instances[" + index + "][" + i + "] must be a finite number");
            }
            out[i] = v.floatValue();
        }
        return out;
    }
}
