package dev.explainable.serving.operator.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

/** The recorder's de-duplication: an equal event once per window, a refused one not at all. */
class RecentEventsTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    static RecentEvents.Key key(String message) {
        return new RecentEvents.Key("uid-1", EventRecorder.Type.WARNING, "ModelLoadFailed", message);
    }

    @Test
    void anEqualEventIsRecordedOncePerWindow() {
        RecentEvents recent = new RecentEvents(Duration.ofMinutes(10), 16);
        assertThat(recent.record(key("a"), T0)).isTrue();
        assertThat(recent.record(key("a"), T0.plusSeconds(599))).isFalse();
        // another message, model, type or reason is another event
        assertThat(recent.record(key("b"), T0.plusSeconds(1))).isTrue();
        assertThat(recent.record(new RecentEvents.Key("uid-2", EventRecorder.Type.WARNING, "ModelLoadFailed", "a"), T0))
                .isTrue();
        assertThat(recent.record(new RecentEvents.Key("uid-1", EventRecorder.Type.NORMAL, "ModelLoadFailed", "a"), T0))
                .isTrue();
        // the window runs from the last time it was recorded
        assertThat(recent.record(key("a"), T0.plusSeconds(600))).isTrue();
        assertThat(recent.record(key("a"), T0.plusSeconds(1100))).isFalse();
    }

    @Test
    void aForgottenEventIsNewAgain() {
        RecentEvents recent = new RecentEvents(Duration.ofMinutes(10), 16);
        assertThat(recent.record(key("a"), T0)).isTrue();
        recent.forget(key("a"));
        assertThat(recent.record(key("a"), T0.plusSeconds(1))).isTrue();
    }

    @Test
    void theOldestEventsAreForgottenFirst() {
        RecentEvents recent = new RecentEvents(Duration.ofMinutes(10), 2);
        recent.record(key("a"), T0);
        recent.record(key("b"), T0);
        recent.record(key("a"), T0.plusSeconds(600)); // recorded again: now the newest
        recent.record(key("c"), T0.plusSeconds(601)); // over capacity: b goes
        assertThat(recent.record(key("a"), T0.plusSeconds(602))).isFalse();
        assertThat(recent.record(key("b"), T0.plusSeconds(602))).isTrue();
    }
}
