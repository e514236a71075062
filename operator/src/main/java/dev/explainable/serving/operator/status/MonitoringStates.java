package dev.explainable.serving.operator.status;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.explainable.serving.operator.api.AttributionCrossing;
import dev.explainable.serving.operator.api.MonitoringStatus;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.monitoring.RuntimeAlerts;
import dev.explainable.serving.operator.monitoring.VersionAlerts;

/**
 * A monitored version's {@link MonitoringStatus} from its pods' last {@link VersionAlerts} and its previous status:
 * a crossing seen in a new window is (or stays) current with the time it began and was last seen; one no longer seen
 * stays listed, not current, so that a drift which lasted one window is still on record. Times move only when the
 * pods' window does, so that reconciles between windows write nothing. At most {@link VersionAlerts#MAX_CROSSINGS}
 * entries: current first, then the most recently seen.
 */
public final class MonitoringStates {

    public static final String BASELINE_READ = "Read";
    public static final String BASELINE_NOT_READ = "NotRead";
    public static final String BASELINE_NONE = "None";

    private MonitoringStates() {}

    /** Null for a version without monitoring. {@code alerts} null: no ready pod was read (yet). */
    public static MonitoringStatus of(VersionSpec v, MonitoringStatus previous, VersionAlerts alerts, String now) {
        if (v.getMonitoring() == null) {
            return null;
        }
        boolean hasBaseline = v.getMonitoring().getBaselineUri() != null;
        MonitoringStatus s = new MonitoringStatus();
        long before = previous == null || previous.getWindow() == null ? 0 : previous.getWindow();
        if (alerts == null) {
            s.setWindow(before);
            s.setBaseline(hasBaseline ? (previous == null ? null : previous.getBaseline()) : BASELINE_NONE);
            s.setMessage("no ready pod has been read yet");
            s.setCrossed(previous == null ? new ArrayList<>() : previous.getCrossed());
            return s;
        }
        // a restarted pod counts its windows from 1 again: any change of the window is a new one
        s.setWindow(alerts.window());
        List<String> problems = new ArrayList<>();
        if (!hasBaseline) {
            s.setBaseline(BASELINE_NONE);
        } else if (alerts.baselineRead()) {
            s.setBaseline(BASELINE_READ);
        } else {
            s.setBaseline(BASELINE_NOT_READ);
            problems.add(
                    alerts.baselineProblem() == null
                            ? "the baseline " + v.getMonitoring().getBaselineUri()
                                    + " is being read: no skew until it is"
                            : "the baseline could not be read (no skew; tried again at each window): "
                                    + alerts.baselineProblem());
        }
        if (!alerts.unanswered().isEmpty()) {
            problems.add(alerts.unanswered().size() + " of " + alerts.asked() + " ready pods did not answer: "
                    + String.join(", ", alerts.unanswered()));
        }
        if (v.getMonitoring().getSampleRate() != null && v.getMonitoring().getSampleRate() == 0) {
            problems.add(0, "sampleRate is 0: no explanation is profiled");
        }
        s.setMessage(String.join("; ", problems));
        s.setCrossed(crossings(previous, alerts, alerts.window() != before, now));
        return s;
    }

    private static List<AttributionCrossing> crossings(
            MonitoringStatus previous, VersionAlerts alerts, boolean newWindow, String now) {
        Map<String, AttributionCrossing> byKey = new LinkedHashMap<>();
        if (previous != null) {
            for (AttributionCrossing c : previous.getCrossed()) {
                byKey.put(key(c.getKind(), c.getFeature()), copy(c));
            }
        }
        if (newWindow) {
            Map<String, RuntimeAlerts.Crossing> seen = new LinkedHashMap<>();
            alerts.crossed().forEach(c -> seen.put(key(c.kind(), c.feature()), c));
            for (AttributionCrossing c : byKey.values()) {
                if (!seen.containsKey(key(c.getKind(), c.getFeature()))) {
                    c.setCurrent(false);
                }
            }
            for (Map.Entry<String, RuntimeAlerts.Crossing> e : seen.entrySet()) {
                RuntimeAlerts.Crossing r = e.getValue();
                AttributionCrossing c =
                        byKey.computeIfAbsent(e.getKey(), k -> new AttributionCrossing(r.feature(), r.kind()));
                if (!Boolean.TRUE.equals(c.getCurrent())) {
                    c.setSince(now);
                }
                c.setCurrent(true);
                c.setScore(round(r.score()));
                c.setThreshold(r.threshold());
                c.setLastSeen(now);
            }
        }
        List<AttributionCrossing> out = new ArrayList<>(byKey.values());
        out.sort(Comparator.comparing((AttributionCrossing c) -> !Boolean.TRUE.equals(c.getCurrent()))
                .thenComparing(AttributionCrossing::getLastSeen, Comparator.nullsLast(Comparator.reverseOrder())));
        return new ArrayList<>(out.subList(0, Math.min(VersionAlerts.MAX_CROSSINGS, out.size())));
    }

    /** Crossings that are current in {@code next} and were not in {@code before}: what an event announces. */
    public static List<AttributionCrossing> newlyCrossed(MonitoringStatus before, MonitoringStatus next) {
        if (next == null) {
            return List.of();
        }
        Map<String, AttributionCrossing> was = new LinkedHashMap<>();
        if (before != null) {
            before.getCrossed().forEach(c -> was.put(key(c.getKind(), c.getFeature()), c));
        }
        return next.getCrossed().stream()
                .filter(c -> Boolean.TRUE.equals(c.getCurrent()))
                .filter(c -> {
                    AttributionCrossing b = was.get(key(c.getKind(), c.getFeature()));
                    return b == null || !Boolean.TRUE.equals(b.getCurrent());
                })
                .toList();
    }

    private static String key(String kind, String feature) {
        return kind + "\u0000" + feature;
    }

    /** Four decimals: a status that changes in the sixth decimal only is not worth a write. */
    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }

    private static AttributionCrossing copy(AttributionCrossing c) {
        AttributionCrossing x = new AttributionCrossing(c.getFeature(), c.getKind());
        x.setScore(c.getScore());
        x.setThreshold(c.getThreshold());
        x.setSince(c.getSince());
        x.setLastSeen(c.getLastSeen());
        x.setCurrent(c.getCurrent());
        return x;
    }
}
