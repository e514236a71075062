package dev.explainable.serving.runtime.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.runtime.config.ExampleOptions;
import dev.explainable.serving.runtime.examples.ExampleSet;
import dev.explainable.serving.runtime.examples.Neighbor;
import dev.explainable.serving.runtime.tensor.HostTensor;
import dev.explainable.serving.runtime.work.InvalidRequestException;
import dev.explainable.serving.runtime.work.RequestDeadline;

/**
 * Example-based explanations of a model: its latent space and its example set. An instance is embedded in the same
 * run that predicts it, and its nearest examples are searched; the work per request is the model's run plus at most
 * {@code max-neighbor-count} neighbours per instance from a search bounded by the set.
 */
public final class ExampleNeighbors {

    /**
     * Each instance's neighbours (nearest first), or its embedding where asked instead, and the predictions (none for
     * instances given as embeddings).
     */
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

    /** The request's instances embedded: by the model's run (with its predictions), or given as embeddings. */
    record Embedded(List<float[]> embeddings, List<Map<String, HostTensor>> predictions) {}

    /**
     * Embeds the instances once for every request of the call that takes them alike: the model's run over
     * {@code decoded} (whose predictions the answer carries), or the instances read as embeddings. Each embedding has
     * the set's size and finite values, or the instance is refused.
     */
    Embedded embed(
            List<JsonNode> instances,
            List<Map<String, HostTensor>> decoded,
            Function<List<Map<String, HostTensor>>, List<Map<String, HostTensor>>> predict,
            boolean instancesEmbedded) {
        List<float[]> embeddings = new ArrayList<>(instances.size());
        if (instancesEmbedded) {
            for (int i = 0; i < instances.size(); i++) {
                embeddings.add(embedding(instances.get(i), i));
            }
            return new Embedded(embeddings, List.of());
        }
        List<Map<String, HostTensor>> predictions = predict.apply(decoded);
        for (int i = 0; i < predictions.size(); i++) {
            float[] e = latent.of(predictions.get(i));
            if (e.length != set.dimensions()) {
                throw new InvalidRequestException("instances[" + i + "]: its embedding (the latent output '"
                        + latent.outputKey() + "') has " + e.length + " values, the example set's have "
                        + set.dimensions());
            }
            for (float v : e) {
                if (!Float.isFinite(v)) {
                    throw new InvalidRequestException("instances[" + i + "]: its embedding (the latent output '"
                            + latent.outputKey() + "') is not finite: the instance's values are out of the model's"
                            + " range");
                }
            }
            embeddings.add(e);
        }
        return new Embedded(embeddings, predictions);
    }

    /** The neighbours {@code request} asks for, of instances embedded; none searched where it asks for embeddings. */
    Answers answer(Embedded embedded, NeighborRequest request) {
        int k = request.neighborCount() == null ? options.neighborCount() : request.neighborCount();
        if (k < 1 || k > options.maxNeighborCount()) {
            throw new InvalidRequestException("examplesOverride.neighborCount must be 1 to "
                    + options.maxNeighborCount() + " (explain.examples.max-neighbor-count), got " + k);
        }
        if (request.returnEmbeddings()) {
            return new Answers(null, embedded.embeddings(), embedded.predictions());
        }
        List<List<Neighbor>> neighbors = new ArrayList<>(embedded.embeddings().size());
        for (float[] e : embedded.embeddings()) {
            RequestDeadline.checkCurrent();
            neighbors.add(set.neighbors(e, k));
        }
        return new Answers(neighbors, null, embedded.predictions());
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
