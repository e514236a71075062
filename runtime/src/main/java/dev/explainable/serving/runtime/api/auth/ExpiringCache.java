package dev.explainable.serving.runtime.api.auth;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A map whose entries expire, bounded in size: past {@code maxEntries} the expired entries go first, then arbitrary
 * ones (a cache miss costs one more review, never a wrong answer). Keys are SHA-256 hashes of tokens
 * ({@link BearerToken#key}), never tokens.
 */
final class ExpiringCache<V> {

    private record Entry<V>(V value, long expiresAtNanos) {}

    private final int maxEntries;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Entry<V>> entries = new ConcurrentHashMap<>();

    ExpiringCache(int maxEntries, LongSupplier nanoClock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("explain.auth.cache-size must be >= 1, got " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.clock = nanoClock;
    }

    /** The live value of {@code key}, or null. */
    V get(String key) {
        Entry<V> e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (clock.getAsLong() - e.expiresAtNanos() >= 0) {
            entries.remove(key, e);
            return null;
        }
        return e.value();
    }

    void put(String key, V value, long ttlNanos) {
        if (ttlNanos <= 0) {
            return;
        }
        if (entries.size() >= maxEntries && !entries.containsKey(key)) {
            evict();
        }
        entries.put(key, new Entry<>(value, clock.getAsLong() + ttlNanos));
    }

    int size() {
        return entries.size();
    }

    private void evict() {
        long now = clock.getAsLong();
        entries.entrySet().removeIf(e -> now - e.getValue().expiresAtNanos() >= 0);
        Iterator<Map.Entry<String, Entry<V>>> it = entries.entrySet().iterator();
        while (entries.size() >= maxEntries && it.hasNext()) {
            it.next();
            it.remove();
        }
    }
}
