package dev.explainable.serving.operator.events;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The events recorded lately, to record each at most once per {@link #window}: an event is new when no equal one
 * (same object, type, reason and message) was recorded within the window. It remembers at most {@link #capacity}
 * events, forgetting the oldest first (as client-go's event de-duplication keeps 4096 in an LRU cache).
 */
final class RecentEvents {

    /** What makes two events the same. */
    record Key(String uid, EventRecorder.Type type, String reason, String message) {}

    private final Duration window;
    private final int capacity;
    private final Map<Key, Instant> recorded;

    RecentEvents(Duration window, int capacity) {
        this.window = window;
        this.capacity = capacity;
        this.recorded = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Instant> eldest) {
                return size() > RecentEvents.this.capacity;
            }
        };
    }

    /** Whether {@code key} is new at {@code now}; if it is, it counts as recorded now. */
    synchronized boolean record(Key key, Instant now) {
        Instant last = recorded.get(key);
        if (last != null && now.isBefore(last.plus(window))) {
            return false;
        }
        recorded.remove(key); // re-inserted last: the oldest entries are the first forgotten
        recorded.put(key, now);
        return true;
    }

    /** {@code key} was not recorded after all (the API server refused it): the next equal event is new again. */
    synchronized void forget(Key key) {
        recorded.remove(key);
    }
}
