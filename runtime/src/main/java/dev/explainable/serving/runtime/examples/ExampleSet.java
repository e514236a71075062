package dev.explainable.serving.runtime.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model's example set, searchable: each example's id, its embedding, the search over them, the example lines kept
 * to show (where they fit their bound) and the report of its build. Immutable and thread-safe.
 */
public final class ExampleSet {

    /**
     * What the build found: examples taken, lines left out (their count, the first {@link ExampleSetBuilder#KEPT_BAD}
     * of them), its time and the bytes the set holds.
     */
    public record Report(
            int examples,
            int dimensions,
            String search,
            String distance,
            long badLines,
            List<BadLine> firstBadLines,
            long buildMillis,
            long bytes,
            boolean linesKept) {}

    private final String[] ids;
    private final Map<String, Integer> ordinals;
    private final Embeddings embeddings;
    private final NeighborSearch search;
    private final String[] kept;
    private final Report report;

    ExampleSet(
            String[] ids,
            Map<String, Integer> ordinals,
            Embeddings embeddings,
            NeighborSearch search,
            String[] kept,
            Report report) {
        this.ids = ids;
        this.ordinals = ordinals;
        this.embeddings = embeddings;
        this.search = search;
        this.kept = kept;
        this.report = report;
    }

    /** The {@code k} examples nearest to {@code embedding} (the model's latent values of an instance). */
    public List<Neighbor> neighbors(float[] embedding, int k) {
        if (embedding.length != embeddings.dimensions()) {
            throw new IllegalArgumentException("an embedding of " + embedding.length
                    + " values; the example set's have " + embeddings.dimensions());
        }
        List<Hit> hits = search.nearest(embeddings.distance().prepare(embedding), k);
        List<Neighbor> out = new ArrayList<>(hits.size());
        for (Hit h : hits) {
            out.add(new Neighbor(ids[h.ordinal()], h.distance()));
        }
        return out;
    }

    /** The example's line as the set gave it, or null when it is not in the set or not kept. */
    public String line(String id) {
        Integer ordinal = ordinals.get(id);
        return ordinal == null || kept == null ? null : kept[ordinal];
    }

    public int dimensions() {
        return embeddings.dimensions();
    }

    public int size() {
        return ids.length;
    }

    public Report report() {
        return report;
    }
}
