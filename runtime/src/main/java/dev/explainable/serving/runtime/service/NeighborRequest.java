package dev.explainable.serving.runtime.service;

/**
 * What one request asks of example-based explanations (Vertex's {@code examplesOverride}): how many neighbours,
 * whether the answer carries each instance's embedding, and whether the instances are embeddings already.
 *
 * @param neighborCount      neighbours per instance, or null for the model's {@code explain.examples.neighbor-count}
 * @param returnEmbeddings   each explanation also carries the instance's embedding
 * @param instancesEmbedded  Vertex's {@code dataFormat: EMBEDDINGS}: each instance is an embedding (a list of numbers)
 */
public record NeighborRequest(Integer neighborCount, boolean returnEmbeddings, boolean instancesEmbedded) {

    public static final NeighborRequest NONE = new NeighborRequest(null, false, false);
}
