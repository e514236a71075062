package dev.explainable.serving.operator.monitoring;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A version's attribution alerts over its ready pods, as one poll read them: the newest window, the baseline's state
 * (read if any pod read it; else the first pod's reason), each crossed threshold once with the largest score a pod
 * gave, and the pods that did not answer. Compared by value: a poll that reads the same triggers no reconcile.
 */
public record VersionAlerts(
        String version,
        long window,
        String baselineUri,
        boolean baselineRead,
        String baselineProblem,
        List<RuntimeAlerts.Crossing> crossed,
        int asked,
        List<String> unanswered) {

    /** Crossings kept per version: a model with thousands of features cannot grow the status without bound. */
    public static final int MAX_CROSSINGS = 32;

    /** Merges the pods' answers ({@code answers} by pod name) and the pods that did not answer. */
    public static VersionAlerts merge(String version, Map<String, RuntimeAlerts> answers, List<String> unanswered) {
        long window = 0;
        String baselineUri = null;
        boolean read = false;
        String problem = null;
        Map<String, RuntimeAlerts.Crossing> crossed = new LinkedHashMap<>();
        for (RuntimeAlerts a : answers.values()) {
            window = Math.max(window, a.window());
            baselineUri = baselineUri == null ? a.baselineUri() : baselineUri;
            read |= a.baselineRead();
            if (problem == null
                    && a.baselineProblem() != null
                    && !a.baselineProblem().isBlank()) {
                problem = a.baselineProblem();
            }
            for (RuntimeAlerts.Crossing c : a.crossed()) {
                if (c.feature() == null || c.kind() == null || !Double.isFinite(c.score())) {
                    continue;
                }
                crossed.merge(c.kind() + "\u0000" + c.feature(), c, (x, y) -> x.score() >= y.score() ? x : y);
            }
        }
        List<RuntimeAlerts.Crossing> list = new ArrayList<>(crossed.values());
        // the overall scores first, then the largest
        list.sort(
                Comparator.comparing((RuntimeAlerts.Crossing c) -> !c.feature().isEmpty())
                        .thenComparing(Comparator.comparingDouble(RuntimeAlerts.Crossing::score)
                                .reversed()));
        return new VersionAlerts(
                version,
                window,
                baselineUri,
                read,
                read ? null : problem,
                List.copyOf(list.subList(0, Math.min(MAX_CROSSINGS, list.size()))),
                answers.size() + unanswered.size(),
                List.copyOf(unanswered));
    }
}
