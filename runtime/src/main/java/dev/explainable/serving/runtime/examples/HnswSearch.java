package dev.explainable.serving.runtime.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;

/**
 * Approximate search: Apache Lucene's HNSW graph over the embeddings, in memory (a {@link ByteBuffersDirectory}),
 * asked for {@code candidates} (at least k) examples per query, which are then ranked by their exact distance
 * ({@link ExactSearch}) so that distances are exact and only a miss of the graph costs recall.
 *
 * <p>Why Lucene: it is the maintained JVM HNSW that the search engines built on it (Elasticsearch, OpenSearch, Solr)
 * run at scale, with a public API (documents with {@link KnnFloatVectorField}, {@link KnnFloatVectorQuery}) stable
 * across its 9.x line, no native code, and SIMD distances where the JDK has the vector module.
 */
public final class HnswSearch implements NeighborSearch, AutoCloseable {

    /** Lucene 9's largest vector for its HNSW format. */
    public static final int MAX_DIMENSIONS = 1024;

    private static final String VECTOR = "v";
    private static final String ORDINAL = "ord";
    /** Examples per building thread, at least: below it the graph is built by one. */
    static final int PER_THREAD = 50_000;

    private final Embeddings embeddings;
    private final int candidates;
    private final ByteBuffersDirectory directory;
    private final DirectoryReader reader;
    private final IndexSearcher searcher;
    private final long bytes;

    /**
     * Builds the graph over {@code embeddings}: {@code maxConnections} neighbours per node (Lucene's M) and
     * {@code beamWidth} candidates while inserting; one segment while the writer's buffer holds it.
     */
    public HnswSearch(Embeddings embeddings, int maxConnections, int beamWidth, int candidates) {
        if (embeddings.dimensions() > MAX_DIMENSIONS) {
            throw new IllegalArgumentException("approximate search takes embeddings of at most " + MAX_DIMENSIONS
                    + " values, these have " + embeddings.dimensions());
        }
        this.embeddings = embeddings;
        this.candidates = candidates;
        this.directory = new ByteBuffersDirectory();
        VectorSimilarityFunction similarity = embeddings.distance() == Distance.COSINE
                ? VectorSimilarityFunction.DOT_PRODUCT // the embeddings are unit length
                : VectorSimilarityFunction.EUCLIDEAN;
        IndexWriterConfig config = new IndexWriterConfig()
                .setCodec(new Lucene912Codec() {
                    @Override
                    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                        return new Lucene99HnswVectorsFormat(maxConnections, beamWidth);
                    }
                })
                .setRAMBufferSizeMB(1024)
                .setMergePolicy(NoMergePolicy.INSTANCE)
                .setUseCompoundFile(false);
        // a graph per thread (a segment each, searched together): building is the slow part, and parallel; small
        // sets keep one graph, which queries faster
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), embeddings.size() / PER_THREAD));
        try (IndexWriter writer = new IndexWriter(directory, config)) {
            if (threads == 1) {
                add(writer, similarity, 0, embeddings.size());
            } else {
                ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                    Thread t = new Thread(r, "example-index");
                    t.setDaemon(true);
                    return t;
                });
                try {
                    List<Future<?>> parts = new ArrayList<>();
                    int n = embeddings.size();
                    for (int t = 0; t < threads; t++) {
                        int from = (int) ((long) n * t / threads);
                        int to = (int) ((long) n * (t + 1) / threads);
                        parts.add(pool.submit(() -> {
                            add(writer, similarity, from, to);
                            return null;
                        }));
                    }
                    for (Future<?> part : parts) {
                        part.get();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while building the HNSW graph", e);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IllegalStateException("building the HNSW graph", e.getCause());
                } finally {
                    pool.shutdownNow();
                }
            }
            writer.commit();
            this.reader = DirectoryReader.open(directory);
            long sum = 0;
            for (String file : directory.listAll()) {
                sum += directory.fileLength(file);
            }
            this.bytes = sum;
        } catch (IOException e) {
            throw new UncheckedIOException("building the HNSW graph in memory", e);
        }
        this.searcher = new IndexSearcher(reader);
    }

    private void add(IndexWriter writer, VectorSimilarityFunction similarity, int from, int to) throws IOException {
        for (int i = from; i < to; i++) {
            Document doc = new Document();
            doc.add(new KnnFloatVectorField(VECTOR, embeddings.get(i), similarity));
            doc.add(new NumericDocValuesField(ORDINAL, i));
            writer.addDocument(doc);
        }
    }

    @Override
    public List<Hit> nearest(float[] query, int k) {
        if (k <= 0 || embeddings.size() == 0) {
            return List.of();
        }
        int wanted = Math.max(k, candidates);
        try {
            TopDocs found = searcher.search(new KnnFloatVectorQuery(VECTOR, query, wanted), wanted);
            List<LeafReaderContext> leaves = reader.leaves();
            int[] ordinals = new int[found.scoreDocs.length];
            for (int i = 0; i < ordinals.length; i++) {
                ScoreDoc d = found.scoreDocs[i];
                LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(d.doc, leaves));
                NumericDocValues ordinal = leaf.reader().getNumericDocValues(ORDINAL);
                if (ordinal == null || !ordinal.advanceExact(d.doc - leaf.docBase)) {
                    throw new IllegalStateException("an indexed example without its ordinal");
                }
                ordinals[i] = (int) ordinal.longValue();
            }
            return new ArrayList<>(ExactSearch.nearest(embeddings, query, k, ordinals));
        } catch (IOException e) {
            throw new UncheckedIOException("searching the in-memory HNSW graph", e);
        }
    }

    @Override
    public long indexBytes() {
        // the index's files, all in memory: the vectors' copy, the graph, the ordinals
        return bytes;
    }

    @Override
    public String kind() {
        return "approximate";
    }

    @Override
    public void close() {
        try {
            reader.close();
            directory.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
