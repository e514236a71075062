package dev.explainable.serving.runtime.monitoring;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import dev.explainable.serving.runtime.result.Explanation;

/**
 * Profiled explanations in windows of a fixed count: each full window's profile is compared with the previous
 * window's (drift) and with the baseline's (skew, when there is a baseline), label by label, and becomes the previous
 * window. Memory: two profiles and one accumulator, each bounded by {@link ProfileAccumulator}'s limits, whatever the
 * traffic. Thread-safe (one lock; adding is a few map updates per feature).
 */
public final class AttributionWindows {

    /** A finished window: its index (from 1), its profile, and its distances by label. */
    public record Window(
            long index,
            AttributionProfile profile,
            Map<String, ProfileDistance> skew,
            Map<String, ProfileDistance> drift) {}

    private final int size;
    private final Supplier<AttributionProfile> baseline;
    private ProfileAccumulator current = new ProfileAccumulator();
    private AttributionProfile previous;
    private Window last;
    private long windows;
    private long dropped;

    /** {@code baseline} gives the baseline when it has one (it may come later), else null. */
    public AttributionWindows(int size, Supplier<AttributionProfile> baseline) {
        if (size < 1) {
            throw new IllegalArgumentException("explain.monitoring.window-size must be at least 1, got " + size);
        }
        this.size = size;
        this.baseline = baseline;
    }

    /** Adds one explanation; the window it finished, or null. */
    public synchronized Window add(Explanation e) {
        current.add(e);
        if (current.explanations() < size) {
            return null;
        }
        AttributionProfile profile = current.profile();
        dropped += current.dropped();
        current = new ProfileAccumulator();
        AttributionProfile base = baseline.get();
        Window w = new Window(
                ++windows, profile, base == null ? Map.of() : distances(base, profile), distances(previous, profile));
        previous = profile;
        last = w;
        return w;
    }

    /** Label by label, the distance of {@code current} from {@code reference} (labels the reference has). */
    static Map<String, ProfileDistance> distances(AttributionProfile reference, AttributionProfile current) {
        Map<String, ProfileDistance> out = new LinkedHashMap<>();
        if (reference == null) {
            return out;
        }
        current.labels().forEach((label, profile) -> {
            AttributionProfile.Label ref = reference.labels().get(label);
            if (ref != null && ref.count() > 0) {
                out.put(label, ProfileDistance.between(ref, profile));
            }
        });
        return out;
    }

    /** The last finished window, or null. */
    public synchronized Window last() {
        return last;
    }

    /** Explanations in the window being filled. */
    public synchronized long filling() {
        return current.explanations();
    }

    /** Features and labels past the bounds, over all finished windows. */
    public synchronized long dropped() {
        return dropped;
    }
}
