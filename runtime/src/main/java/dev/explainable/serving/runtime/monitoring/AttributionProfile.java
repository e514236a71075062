package dev.explainable.serving.runtime.monitoring;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * What a window of explanations says about each feature, per explained label: how many explanations it holds and
 * each feature's mean absolute attribution. Shares (a feature's part of the total) and the ranking follow from it.
 * Profiles merge exactly (counts weigh the means), so shards' and windows' profiles add up to the profile of all their
 * explanations. Immutable; JSON as written to a baseline file.
 */
public record AttributionProfile(Map<String, Label> labels) {

    /** One label's profile: explanations counted, mean absolute attribution per feature (insertion order kept). */
    public record Label(long count, Map<String, Double> meanAbsAttribution) {

        public Label {
            meanAbsAttribution = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(meanAbsAttribution));
        }

        /** Each feature's share of the total mean absolute attribution (all zero when the total is zero). */
        @JsonIgnore
        public Map<String, Double> shares() {
            double total = meanAbsAttribution.values().stream()
                    .mapToDouble(Double::doubleValue)
                    .sum();
            Map<String, Double> out = new LinkedHashMap<>();
            meanAbsAttribution.forEach((f, v) -> out.put(f, total > 0 ? v / total : 0.0));
            return out;
        }

        /** The features by mean absolute attribution, largest first (ties by name). */
        @JsonIgnore
        public List<String> ranking() {
            List<String> out = new ArrayList<>(meanAbsAttribution.keySet());
            out.sort(Comparator.comparing((String f) -> -meanAbsAttribution.get(f))
                    .thenComparing(Comparator.naturalOrder()));
            return out;
        }

        Label merge(Label other) {
            long n = count + other.count;
            Map<String, Double> means = new LinkedHashMap<>();
            for (String f : union(meanAbsAttribution, other.meanAbsAttribution)) {
                double sum = meanAbsAttribution.getOrDefault(f, 0.0) * count
                        + other.meanAbsAttribution.getOrDefault(f, 0.0) * other.count;
                means.put(f, n == 0 ? 0.0 : sum / n);
            }
            return new Label(n, means);
        }
    }

    public static final AttributionProfile EMPTY = new AttributionProfile(Map.of());

    public AttributionProfile {
        labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    /** The profile of both profiles' explanations together. */
    public AttributionProfile merge(AttributionProfile other) {
        Map<String, Label> out = new LinkedHashMap<>();
        for (String l : union(labels, other.labels)) {
            Label a = labels.get(l);
            Label b = other.labels.get(l);
            out.put(l, a == null ? b : b == null ? a : a.merge(b));
        }
        return new AttributionProfile(out);
    }

    /** Explanations counted, over all labels' largest count (each explanation counts once per label it explains). */
    @JsonIgnore
    public long explanations() {
        return labels.values().stream().mapToLong(Label::count).max().orElse(0);
    }

    private static List<String> union(Map<String, ?> a, Map<String, ?> b) {
        List<String> keys = new ArrayList<>(a.keySet());
        for (String k : b.keySet()) {
            if (!a.containsKey(k)) {
                keys.add(k);
            }
        }
        return keys;
    }
}
