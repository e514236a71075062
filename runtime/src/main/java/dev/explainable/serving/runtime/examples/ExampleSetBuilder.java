package dev.explainable.serving.runtime.examples;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects an example set as its lines are read and embedded: ids checked once each, embeddings of one size, lines
 * kept while they fit, bad lines counted with the first few kept; every bound checked as examples come, so that a
 * set too large fails early and its memory never passes the bound. Not thread-safe: one loader feeds it.
 */
public final class ExampleSetBuilder {

    /** Bytes an id costs beside its characters: the String, its place in the ids' array and its map entry. */
    static final long ID_OVERHEAD = 40 + 8 + 48;

    /** Bad lines kept for the report (all are counted). */
    public static final int KEPT_BAD = 20;

    private final SearchSettings settings;
    private final Map<String, Integer> ordinals = new HashMap<>();
    private final List<String> ids = new ArrayList<>();
    private final List<String> kept = new ArrayList<>();
    private final List<BadLine> firstBad = new ArrayList<>();
    private final long start = System.nanoTime();
    private Embeddings embeddings;
    private long keptBytes;
    private boolean keeping = true;
    private long badLines;
    /** Examples the embeddings' array may hold: fixed by the first one's size. */
    private int capacity;
    /** The ids' cost: the strings, the array of them and the map from them. */
    private long idBytes;

    public ExampleSetBuilder(SearchSettings settings) {
        this.settings = settings;
    }

    /** Reports a line left out. */
    public void bad(BadLine line) {
        badLines++;
        if (firstBad.size() < KEPT_BAD) {
            firstBad.add(line);
        }
    }

    /**
     * Adds {@code example} with its embedding; a second example with its id, or an embedding of another size than
     * the first's, is reported as a bad line instead.
     *
     * @throws ExampleSetException past {@link SearchSettings#maxExamples} or {@link SearchSettings#maxBytes}
     */
    public void add(ExampleLines.Example example, float[] embedding) {
        if (ordinals.containsKey(example.id())) {
            bad(new BadLine(example.location(), example.line(), "id '" + example.id() + "' is given twice"));
            return;
        }
        if (embeddings == null) {
            long flatBytes = (long) embedding.length * Float.BYTES;
            if (settings.bytesPerExample(embedding.length) > settings.maxBytes()) {
                throw new ExampleSetException("one example's embedding of " + embedding.length + " values takes more"
                        + " than " + settings.maxBytes() + " bytes (explain.examples.max-bytes)");
            }
            // room for what the bounds allow, never more than one array holds
            capacity = (int) Math.min(
                    settings.maxExamples(),
                    Math.min(settings.maxBytes() / flatBytes, Integer.MAX_VALUE / embedding.length));
            embeddings = new Embeddings(embedding.length, settings.distance(), capacity);
        } else if (embedding.length != embeddings.dimensions()) {
            bad(new BadLine(
                    example.location(),
                    example.line(),
                    "its embedding has " + embedding.length + " values, the set's have " + embeddings.dimensions()));
            return;
        }
        if (ids.size() == settings.maxExamples()) {
            throw new ExampleSetException("the example set has more than " + settings.maxExamples()
                    + " examples (explain.examples.max-examples)");
        }
        if (ids.size() == capacity) {
            throw new ExampleSetException("the example set has more than " + capacity + " examples of "
                    + embedding.length + " values, the most explain.examples.max-bytes and one array hold");
        }
        for (float v : embedding) {
            if (!Float.isFinite(v)) {
                bad(new BadLine(example.location(), example.line(), "its embedding is not finite"));
                return;
            }
        }
        long idCost = ID_OVERHEAD + 2L * example.id().length();
        long expected = (ids.size() + 1L) * settings.bytesPerExample(embedding.length) + keptBytes + idBytes + idCost;
        if (expected > settings.maxBytes()) {
            throw new ExampleSetException("the example set would take more than " + settings.maxBytes()
                    + " bytes at " + (ids.size() + 1) + " examples of " + embedding.length
                    + " values (explain.examples.max-bytes)");
        }
        ordinals.put(example.id(), embeddings.add(embedding));
        ids.add(example.id());
        idBytes += idCost;
        long lineBytes = 40L + 2L * example.text().length();
        if (keeping && keptBytes + lineBytes <= settings.maxKeptBytes()) {
            kept.add(example.text());
            keptBytes += lineBytes;
        } else {
            keeping = false;
            kept.clear();
        }
    }

    /** The set, searchable; an empty one is an {@link ExampleSetException} naming the first bad lines. */
    public ExampleSet build() {
        if (ids.isEmpty()) {
            throw new ExampleSetException("the example set has no usable example"
                    + (badLines == 0 ? "" : " (" + badLines + " bad lines, the first: " + firstBad + ")"));
        }
        embeddings.trim();
        NeighborSearch search = settings.approximate()
                        && ids.size() >= settings.exactBelow()
                        && embeddings.dimensions() <= HnswSearch.MAX_DIMENSIONS
                ? new HnswSearch(embeddings, settings.maxConnections(), settings.beamWidth(), settings.candidates())
                : new ExactSearch(embeddings);
        long bytes = embeddings.bytes() + search.indexBytes() + idBytes + (keeping ? keptBytes : 0);
        if (bytes > settings.maxBytes()) {
            throw new ExampleSetException("the example set takes " + bytes + " bytes, more than " + settings.maxBytes()
                    + " (explain.examples.max-bytes)");
        }
        ExampleSet.Report report = new ExampleSet.Report(
                ids.size(),
                embeddings.dimensions(),
                search.kind(),
                settings.distance().settingName(),
                badLines,
                List.copyOf(firstBad),
                (System.nanoTime() - start) / 1_000_000,
                bytes,
                keeping);
        return new ExampleSet(
                ids.toArray(String[]::new),
                Map.copyOf(ordinals),
                embeddings,
                search,
                keeping ? kept.toArray(String[]::new) : null,
                report);
    }
}
