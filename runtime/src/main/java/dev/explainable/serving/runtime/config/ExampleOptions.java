package dev.explainable.serving.runtime.config;

import java.util.List;
import java.util.Locale;

import dev.explainable.serving.runtime.examples.Distance;
import dev.explainable.serving.runtime.examples.SearchSettings;

/**
 * Example-based explanations' settings (explain.examples.*), checked: none when no example set is configured.
 *
 * @param uris             the example set's files (patterns), empty for none
 * @param neighborCount    neighbours per instance by default
 * @param maxNeighborCount the most a request may ask for
 * @param maxLineBytes     a longer line is a bad line
 * @param search           how the set is searched and bounded
 */
public record ExampleOptions(
        List<String> uris, int neighborCount, int maxNeighborCount, long maxLineBytes, SearchSettings search) {

    public ExampleOptions {
        uris = List.copyOf(uris);
        if (maxNeighborCount < 1 || neighborCount < 1 || neighborCount > maxNeighborCount) {
            throw new IllegalArgumentException("explain.examples.neighbor-count must be 1 to "
                    + "explain.examples.max-neighbor-count (" + maxNeighborCount + "), got " + neighborCount);
        }
        if (search.maxConnections() > 512 || search.beamWidth() > 3200 || search.candidates() > 10_000) {
            throw new IllegalArgumentException("explain.examples: max-connections may be at most 512, beam-width 3200"
                    + " (Lucene's bounds), candidates 10000");
        }
        if (search.candidates() < 1
                || search.maxConnections() < 2
                || search.beamWidth() < 1
                || search.maxExamples() < 1
                || search.maxBytes() < 1
                || maxLineBytes < 1) {
            throw new IllegalArgumentException("explain.examples: candidates, beam-width, max-examples, max-bytes"
                    + " and max-line-bytes must be at least 1, max-connections at least 2");
        }
    }

    /** True when a set is configured. */
    public boolean enabled() {
        return !uris.isEmpty();
    }

    static ExampleOptions from(ExplainConfig.Examples e) {
        String search = e.search().trim().toLowerCase(Locale.ROOT);
        if (!search.equals("exact") && !search.equals("approximate")) {
            throw new IllegalArgumentException(
                    "explain.examples.search must be exact or approximate, got '" + e.search() + "'");
        }
        Distance distance;
        try {
            distance = Distance.of(e.distance());
        } catch (IllegalArgumentException x) {
            throw new IllegalArgumentException("explain.examples.distance: " + x.getMessage());
        }
        return new ExampleOptions(
                e.uris().orElse(List.of()).stream()
                        .map(String::trim)
                        .filter(u -> !u.isEmpty())
                        .toList(),
                e.neighborCount(),
                e.maxNeighborCount(),
                e.maxLineBytes(),
                new SearchSettings(
                        distance,
                        search.equals("approximate"),
                        e.exactBelow(),
                        e.maxConnections(),
                        e.beamWidth(),
                        e.candidates(),
                        e.maxExamples(),
                        e.maxBytes(),
                        e.maxKeptBytes()));
    }
}
