package dev.explainable.serving.runtime.examples;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;

import dev.explainable.serving.runtime.work.RequestDeadline;

/**
 * Every example's distance, the {@code k} nearest kept in a bounded heap: exact, O(n x dimensions) per query, and as
 * fast as an index below some tens of thousands of examples (docs/development.md, the example search benchmark).
 */
public final class ExactSearch implements NeighborSearch {

    /** Distances between checks of the request's deadline, less one. */
    private static final int CHECK_EVERY = (1 << 16) - 1;

    private final Embeddings embeddings;

    public ExactSearch(Embeddings embeddings) {
        this.embeddings = embeddings;
    }

    @Override
    public List<Hit> nearest(float[] query, int k) {
        return nearest(embeddings, query, k, null);
    }

    /** The {@code k} nearest among {@code candidates} (ordinals; null: all), exactly. */
    static List<Hit> nearest(Embeddings embeddings, float[] query, int k, int[] candidates) {
        int n = candidates == null ? embeddings.size() : candidates.length;
        if (k <= 0 || n == 0) {
            return List.of();
        }
        // the farthest kept on top, to be replaced by a nearer one
        PriorityQueue<Hit> kept = new PriorityQueue<>(Math.min(k, n) + 1, Collections.reverseOrder());
        for (int i = 0; i < n; i++) {
            if ((i & CHECK_EVERY) == CHECK_EVERY) {
                RequestDeadline.checkCurrent(); // a million examples take tens of milliseconds
            }
            int ordinal = candidates == null ? i : candidates[i];
            Hit h = new Hit(ordinal, embeddings.distanceTo(query, ordinal));
            if (kept.size() < k) {
                kept.add(h);
            } else if (h.compareTo(kept.peek()) < 0) {
                kept.poll();
                kept.add(h);
            }
        }
        List<Hit> out = new ArrayList<>(kept);
        Collections.sort(out);
        return out;
    }

    @Override
    public long indexBytes() {
        return 0;
    }

    @Override
    public String kind() {
        return "exact";
    }
}
