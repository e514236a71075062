package dev.explainable.serving.runtime.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Example search's figures, in one run: for sets of generated embeddings (standard normal, {@code benchmark.dimensions}
 * values, 16 by default: the bundled embedding model's), exact search and Lucene's HNSW graph (M 16, beam 100, 100
 * candidates re-ranked exactly, the defaults) side by side: build time, bytes held, query latency p50/p99 over
 * {@code benchmark.queries} single-threaded queries for 10 neighbours, and the graph's recall@10 against exact search.
 *
 * <p>Run: {@code ./mvnw -pl runtime test -Dtest=ExampleSearchBenchmark -DexcludedTestGroups=none}
 * ({@code -Dbenchmark.sizes=10000,1000000 -Dbenchmark.dimensions=16 -Dbenchmark.queries=1000}). Not a timed test: it
 * asserts only that the figures were measured.
 */
@Tag("benchmark")
class ExampleSearchBenchmark {

    private static final int K = 10;

    @Test
    void exactAndApproximateSearchSideBySide() {
        int dimensions = Integer.getInteger("benchmark.dimensions", 16);
        int queries = Integer.getInteger("benchmark.queries", 1000);
        int[] sizes = Arrays.stream(System.getProperty("benchmark.sizes", "1000,2000,5000,10000,100000,1000000")
                        .split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        System.out.printf(
                "%n%d dimensions, %d queries of %d neighbours, %d cores, Java %s%n",
                dimensions, queries, K, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.println("| examples | search | build (s) | bytes (MiB) | p50 (ms) | p99 (ms) | recall@10 |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
        for (int n : sizes) {
            Random random = new Random(n);
            long start = System.nanoTime();
            Embeddings e = new Embeddings(dimensions, Distance.SQUARED_L2, n);
            for (int i = 0; i < n; i++) {
                e.add(ExactSearchTest.gaussian(random, dimensions));
            }
            e.trim();
            double exactBuild = (System.nanoTime() - start) / 1e9;
            List<float[]> q = new ArrayList<>(queries);
            for (int i = 0; i < queries; i++) {
                q.add(ExactSearchTest.gaussian(random, dimensions));
            }
            ExactSearch exact = new ExactSearch(e);
            List<List<Hit>> truth = new ArrayList<>(queries);
            double[] exactMs = time(exact, q, truth);
            row(n, "exact", exactBuild, e.bytes(), exactMs, 1.0);
            start = System.nanoTime();
            try (HnswSearch graph = new HnswSearch(e, 16, 100, 100)) {
                double graphBuild = exactBuild + (System.nanoTime() - start) / 1e9;
                List<List<Hit>> found = new ArrayList<>(queries);
                double[] graphMs = time(graph, q, found);
                row(n, "approximate", graphBuild, e.bytes() + graph.indexBytes(), graphMs, recall(truth, found));
            }
        }
        assertTrue(sizes.length > 0);
    }

    /** p50 and p99 in ms; the answers into {@code answers}. Warmed up by a first pass over a tenth of the queries. */
    private static double[] time(NeighborSearch search, List<float[]> queries, List<List<Hit>> answers) {
        for (int i = 0; i < queries.size() / 10; i++) {
            search.nearest(queries.get(i), K);
        }
        double[] ms = new double[queries.size()];
        for (int i = 0; i < ms.length; i++) {
            long t = System.nanoTime();
            answers.add(search.nearest(queries.get(i), K));
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return new double[] {ms[ms.length / 2], ms[(int) Math.min(ms.length - 1, Math.ceil(ms.length * 0.99) - 1)]};
    }

    private static double recall(List<List<Hit>> truth, List<List<Hit>> found) {
        int hits = 0;
        for (int i = 0; i < truth.size(); i++) {
            Set<Integer> t = new HashSet<>();
            truth.get(i).forEach(h -> t.add(h.ordinal()));
            for (Hit h : found.get(i)) {
                if (t.contains(h.ordinal())) {
                    hits++;
                }
            }
        }
        return hits / (double) (K * truth.size());
    }

    private static void row(int n, String search, double build, long bytes, double[] ms, double recall) {
        System.out.println(String.format(
                Locale.ROOT,
                "| %,d | %s | %.2f | %.1f | %.3f | %.3f | %.4f |",
                n,
                search,
                build,
                bytes / (1024.0 * 1024.0),
                ms[0],
                ms[1],
                recall));
    }
}
