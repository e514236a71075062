package dev.explainable.serving.runtime.api.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The requests in progress on the API port (from their headers to their answers, bodies still arriving included),
 * bounded in all and per client address. The bound in all bounds the bodies buffered at once; the bound per client
 * keeps one client (slow bodies, a flood of busy connections) from taking the port from everyone else. Connections
 * themselves are cheap and capped much higher ({@code quarkus.http.limits.max-connections}), so a refused client's
 * connections are given back at once and never crowd out another's. Only addresses with a request in progress are
 * held.
 */
final class RequestsInProgress {

    /** Why a request was not counted in. */
    enum Refusal {
        NONE,
        CLIENT,
        TOTAL
    }

    private final int maxTotal;
    private final int maxPerClient;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<String, AtomicInteger> perClient = new ConcurrentHashMap<>();

    RequestsInProgress(int maxTotal, int maxPerClient) {
        if (maxTotal < 1 || maxPerClient < 1) {
            throw new IllegalArgumentException("explain.limits.max-requests-in-progress and max-requests-per-client "
                    + "must be >= 1, got " + maxTotal + " and " + maxPerClient);
        }
        this.maxTotal = maxTotal;
        this.maxPerClient = maxPerClient;
    }

    int maxTotal() {
        return maxTotal;
    }

    int maxPerClient() {
        return maxPerClient;
    }

    /** Counts a request of {@code client} in, or says which bound it would cross (then nothing is counted). */
    Refusal tryStart(String client) {
        Refusal[] refusal = {Refusal.CLIENT};
        perClient.compute(client, (k, n) -> {
            AtomicInteger count = n != null ? n : new AtomicInteger();
            if (count.get() < maxPerClient) {
                if (total.incrementAndGet() <= maxTotal) {
                    count.incrementAndGet();
                    refusal[0] = Refusal.NONE;
                } else {
                    total.decrementAndGet();
                    refusal[0] = Refusal.TOTAL;
                }
            }
            return count.get() == 0 ? null : count;
        });
        return refusal[0];
    }

    /** A request of {@code client} ended (answered, or its connection closed). Once per counted request. */
    void end(String client) {
        perClient.computeIfPresent(client, (k, n) -> {
            total.decrementAndGet();
            return n.decrementAndGet() <= 0 ? null : n;
        });
    }
}
