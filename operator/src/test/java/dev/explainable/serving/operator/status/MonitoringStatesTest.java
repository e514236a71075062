package dev.explainable.serving.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.api.AttributionCrossing;
import dev.explainable.serving.operator.api.MonitoringSpec;
import dev.explainable.serving.operator.api.MonitoringStatus;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.monitoring.RuntimeAlerts;
import dev.explainable.serving.operator.monitoring.VersionAlerts;

class MonitoringStatesTest {

    static VersionSpec monitored(String baselineUri) {
        VersionSpec v = Models.version("v1", 1);
        MonitoringSpec m = new MonitoringSpec();
        m.setBaselineUri(baselineUri);
        v.setMonitoring(m);
        return v;
    }

    static RuntimeAlerts pod(long window, boolean read, String problem, RuntimeAlerts.Crossing... crossed) {
        return new RuntimeAlerts(true, window, "gs://b/base", read, problem, List.of(crossed));
    }

    static RuntimeAlerts.Crossing skew(String feature, double score) {
        return new RuntimeAlerts.Crossing(feature, "skew", score, 0.1);
    }

    static RuntimeAlerts.Crossing drift(String feature, double score) {
        return new RuntimeAlerts.Crossing(feature, "drift", score, 0.1);
    }

    static VersionAlerts alerts(RuntimeAlerts... pods) {
        Map<String, RuntimeAlerts> answers = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pods.length; i++) {
            answers.put("pod-" + i, pods[i]);
        }
        return VersionAlerts.merge("v1", answers, List.of());
    }

    @Test
    void aVersionWithoutMonitoringHasNoMonitoringStatus() {
        assertThat(MonitoringStates.of(Models.version("v1", 1), null, null, "t0"))
                .isNull();
    }

    @Test
    void beforeAnyPodIsReadTheStatusSaysSo() {
        MonitoringStatus s = MonitoringStates.of(monitored(null), null, null, "t0");
        assertThat(s.getBaseline()).isEqualTo("None");
        assertThat(s.getWindow()).isZero();
        assertThat(s.getMessage()).contains("no ready pod");
        assertThat(s.getCrossed()).isEmpty();
    }

    @Test
    void aCrossingIsCurrentWhileItsWindowsCrossAndStaysOnRecordAfter() {
        VersionSpec v = monitored("gs://b/base");
        MonitoringStatus w1 = MonitoringStates.of(v, null, alerts(pod(1, true, null)), "t1");
        assertThat(w1.getBaseline()).isEqualTo("Read");
        assertThat(w1.getMessage()).isEmpty();
        assertThat(w1.getCrossed()).isEmpty();

        MonitoringStatus w2 =
                MonitoringStates.of(v, w1, alerts(pod(2, true, null, skew("age", 0.31), drift("age", 0.2))), "t2");
        assertThat(w2.getCrossed())
                .extracting(
                        AttributionCrossing::getKind,
                        AttributionCrossing::getFeature,
                        AttributionCrossing::getScore,
                        AttributionCrossing::getSince,
                        AttributionCrossing::getCurrent)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("skew", "age", 0.31, "t2", true),
                        org.assertj.core.groups.Tuple.tuple("drift", "age", 0.2, "t2", true));
        assertThat(MonitoringStates.newlyCrossed(w1, w2)).hasSize(2);

        // the same window read again (another reconcile): nothing moves, nothing is announced again
        MonitoringStatus again =
                MonitoringStates.of(v, w2, alerts(pod(2, true, null, skew("age", 0.31), drift("age", 0.2))), "t2b");
        assertThat(again.getCrossed())
                .extracting(AttributionCrossing::getLastSeen)
                .containsOnly("t2");
        assertThat(MonitoringStates.newlyCrossed(w2, again)).isEmpty();

        // window 3: the skew lasts (since stays), the drift is gone (kept, not current)
        MonitoringStatus w3 = MonitoringStates.of(v, again, alerts(pod(3, true, null, skew("age", 0.33))), "t3");
        assertThat(w3.getCrossed())
                .extracting(
                        AttributionCrossing::getKind,
                        AttributionCrossing::getSince,
                        AttributionCrossing::getLastSeen,
                        AttributionCrossing::getCurrent)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("skew", "t2", "t3", true),
                        org.assertj.core.groups.Tuple.tuple("drift", "t2", "t2", false));
        assertThat(MonitoringStates.newlyCrossed(again, w3)).isEmpty();

        // window 5: the drift again, a new run
        MonitoringStatus w5 = MonitoringStates.of(v, w3, alerts(pod(5, true, null, drift("age", 0.4))), "t5");
        assertThat(MonitoringStates.newlyCrossed(w3, w5))
                .extracting(AttributionCrossing::getKind, AttributionCrossing::getSince)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("drift", "t5"));
    }

    @Test
    void podsMergeToTheLargestScoreAndTheNewestWindow() {
        VersionAlerts merged = alerts(
                pod(4, false, null, skew("age", 0.2), skew("", 0.15)),
                pod(3, true, null, skew("age", 0.5), drift("fare", 0.12)));
        assertThat(merged.window()).isEqualTo(4);
        assertThat(merged.baselineRead()).isTrue();
        // overall first, then by score
        assertThat(merged.crossed())
                .extracting(RuntimeAlerts.Crossing::feature, RuntimeAlerts.Crossing::score)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("", 0.15),
                        org.assertj.core.groups.Tuple.tuple("age", 0.5),
                        org.assertj.core.groups.Tuple.tuple("fare", 0.12));
    }

    @Test
    void anUnreadBaselineAndSilentPodsAreInTheMessage() {
        VersionSpec v = monitored("gs://b/base");
        VersionAlerts a = VersionAlerts.merge(
                "v1",
                Map.of("pod-a", pod(1, false, "gs://b/base: not found", new RuntimeAlerts.Crossing[0])),
                List.of("pod-b"));
        MonitoringStatus s = MonitoringStates.of(v, null, a, "t1");
        assertThat(s.getBaseline()).isEqualTo("NotRead");
        assertThat(s.getMessage())
                .contains(
                        "the baseline could not be read",
                        "gs://b/base: not found",
                        "1 of 2 ready pods did not answer: pod-b");
    }

    @Test
    void aSampleRateOfZeroIsSaid() {
        VersionSpec v = monitored(null);
        v.getMonitoring().setSampleRate(0.0);
        MonitoringStatus s = MonitoringStates.of(v, null, alerts(pod(0, false, null)), "t1");
        assertThat(s.getMessage()).isEqualTo("sampleRate is 0: no explanation is profiled");
    }

    @Test
    void aRestartedPodCountingFromOneAgainIsANewWindow() {
        VersionSpec v = monitored(null);
        MonitoringStatus w7 = MonitoringStates.of(v, null, alerts(pod(7, false, null, drift("age", 0.3))), "t7");
        MonitoringStatus w1 = MonitoringStates.of(v, w7, alerts(pod(1, false, null)), "t8");
        assertThat(w1.getWindow()).isEqualTo(1);
        assertThat(w1.getCrossed()).extracting(AttributionCrossing::getCurrent).containsExactly(false);
    }

    @Test
    void theRecordIsBounded() {
        VersionSpec v = monitored(null);
        MonitoringStatus s = null;
        for (int w = 1; w <= 10; w++) {
            RuntimeAlerts.Crossing[] many = new RuntimeAlerts.Crossing[20];
            for (int f = 0; f < many.length; f++) {
                many[f] = drift("w" + w + "f" + f, 0.2 + f / 100.0);
            }
            s = MonitoringStates.of(v, s, alerts(pod(w, false, null, many)), String.format("t%02d", w));
        }
        assertThat(s.getCrossed()).hasSize(VersionAlerts.MAX_CROSSINGS);
        // the current ones first, then the newest
        assertThat(s.getCrossed().subList(0, 20))
                .allMatch(c -> c.getCurrent() && c.getFeature().startsWith("w10"));
        assertThat(s.getCrossed().subList(20, 32))
                .allMatch(c -> !c.getCurrent() && c.getFeature().startsWith("w9"));
    }
}
