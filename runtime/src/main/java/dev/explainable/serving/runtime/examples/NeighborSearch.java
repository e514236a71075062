package dev.explainable.serving.runtime.examples;

import java.util.List;

/** Finds the examples nearest to a query embedding. Thread-safe: requests search at once. */
public interface NeighborSearch {

    /** The {@code k} nearest examples to the prepared {@code query}, nearest first ({@link Hit#compareTo}). */
    List<Hit> nearest(float[] query, int k);

    /** Bytes the search holds beyond the embeddings (an index), 0 for none. */
    long indexBytes();

    /** {@code exact} or {@code approximate}, as reported. */
    String kind();
}
