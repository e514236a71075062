package dev.explainable.serving.runtime.examples;

/**
 * How an example set is searched and bounded.
 *
 * @param distance       squared Euclidean or cosine
 * @param approximate    through an HNSW graph (Vertex's preset {@code FAST}), or exactly ({@code PRECISE})
 * @param exactBelow     below this many examples the search is exact even when approximate is asked: as fast, and
 *                       exact
 * @param maxConnections the graph's neighbours per node (HNSW's M)
 * @param beamWidth      candidates while the graph is built
 * @param candidates     examples the graph is asked for per query, ranked again by exact distance (at least k)
 * @param maxExamples    the most examples a set may hold
 * @param maxBytes       the most bytes its embeddings, graph and kept lines may take (estimated as they come,
 *                       measured once built)
 * @param maxKeptBytes   the most bytes of example lines kept to show beside neighbours (the rest is not kept)
 */
public record SearchSettings(
        Distance distance,
        boolean approximate,
        int exactBelow,
        int maxConnections,
        int beamWidth,
        int candidates,
        int maxExamples,
        long maxBytes,
        long maxKeptBytes) {

    /** Bytes one example of {@code dimensions} values is expected to take, before the set is built. */
    long bytesPerExample(int dimensions) {
        long flat = (long) dimensions * Float.BYTES;
        // Lucene's copy of the vector, its graph links on the base level (2 x M) and the levels above, doc values
        return approximate ? 2 * flat + 2L * maxConnections * Integer.BYTES + 48 : flat;
    }
}
