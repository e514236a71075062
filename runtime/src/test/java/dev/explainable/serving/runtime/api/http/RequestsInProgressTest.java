package dev.explainable.serving.runtime.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.runtime.api.http.RequestsInProgress.Refusal;

/** The bounds on requests in progress, in all and per client address, and what ending a request gives back. */
class RequestsInProgressTest {

    @Test
    void aClientPastItsShareIsRefusedWhileOthersAreStillCountedIn() {
        RequestsInProgress r = new RequestsInProgress(4, 2);
        assertEquals(Refusal.NONE, r.tryStart("a"));
        assertEquals(Refusal.NONE, r.tryStart("a"));
        assertEquals(Refusal.CLIENT, r.tryStart("a"));
        assertEquals(Refusal.NONE, r.tryStart("b"));
        r.end("a");
        assertEquals(Refusal.NONE, r.tryStart("a"), "an ended request gives its client's place back");
    }

    @Test
    void pastTheTotalEveryClientIsRefusedAndARefusalTakesNoPlace() {
        RequestsInProgress r = new RequestsInProgress(3, 2);
        assertEquals(Refusal.NONE, r.tryStart("a"));
        assertEquals(Refusal.NONE, r.tryStart("a"));
        assertEquals(Refusal.NONE, r.tryStart("b"));
        assertEquals(Refusal.TOTAL, r.tryStart("c"));
        assertEquals(Refusal.TOTAL, r.tryStart("b"));
        assertEquals(Refusal.CLIENT, r.tryStart("a"));
        r.end("b");
        assertEquals(Refusal.NONE, r.tryStart("c"), "the refusals above counted nothing in");
        assertEquals(Refusal.TOTAL, r.tryStart("b"));
    }

    @Test
    void endingARequestOfAnUnknownClientChangesNothing() {
        RequestsInProgress r = new RequestsInProgress(1, 1);
        r.end("nobody");
        assertEquals(Refusal.NONE, r.tryStart("a"));
        assertEquals(Refusal.TOTAL, r.tryStart("b"));
    }

    @Test
    void boundsBelowOneAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RequestsInProgress(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new RequestsInProgress(1, 0));
    }
}
