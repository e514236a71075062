package dev.explainable.serving.runtime.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Lucene's HNSW graph, re-ranked exactly, against exact search on 10,000 random embeddings. */
class HnswSearchTest {

    @ParameterizedTest
    @EnumSource(Distance.class)
    void findsTheExactNeighboursOfNearlyEveryQuery(Distance distance) {
        Random random = new Random(3);
        Embeddings e = new Embeddings(16, distance, 10_000);
        for (int i = 0; i < 10_000; i++) {
            e.add(ExactSearchTest.gaussian(random, 16));
        }
        ExactSearch exact = new ExactSearch(e);
        try (HnswSearch graph = new HnswSearch(e, 16, 100, 100)) {
            int found = 0;
            int queries = 200;
            for (int q = 0; q < queries; q++) {
                float[] query = distance.prepare(ExactSearchTest.gaussian(random, 16));
                List<Hit> truth = exact.nearest(query, 10);
                List<Hit> approximate = graph.nearest(query, 10);
                assertEquals(10, approximate.size());
                Set<Integer> ids = new HashSet<>();
                truth.forEach(h -> ids.add(h.ordinal()));
                for (Hit h : approximate) {
                    if (ids.contains(h.ordinal())) {
                        found++;
                    }
                    // distances are exact: the graph only proposes candidates
                    assertEquals(e.distanceTo(query, h.ordinal()), h.distance(), 0);
                }
            }
            double recall = found / (10.0 * queries);
            assertTrue(recall >= 0.95, distance + ": recall@10 " + recall);
            assertTrue(graph.indexBytes() > 10_000L * 16 * Float.BYTES, "the index holds the vectors and the graph");
        }
    }
}
