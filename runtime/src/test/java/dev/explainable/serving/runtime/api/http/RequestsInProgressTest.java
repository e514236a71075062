package dev.explainable.serving.runtime.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.runtime.api.http.RequestsInProgress.Refusal;

/** The bounds on requests in progress, in all and per client address, and what ending a request gives back. */
class RequestsInProgressTest {

    /** What {@code tryStart} answers for each client in turn. */
    private static List<Refusal> tryStarts(RequestsInProgress r, String... clients) {
        List<Refusal> answers = new ArrayList<>();
        for (String client : clients) {
            answers.add(r.tryStart(client));
        }
        return answers;
    }

    @Test
    void aClientPastItsShareIsRefusedWhileOthersAreStillCountedIn() {
        RequestsInProgress r = new RequestsInProgress(4, 2);
        assertEquals(
                List.of(Refusal.NONE, Refusal.NONE, Refusal.CLIENT, Refusal.NONE), tryStarts(r, "a", "a", "a", "b"));
        r.end("a");
        assertEquals(Refusal.NONE, r.tryStart("a"), "an ended request gives its client's place back");
    }

    @Test
    void pastTheTotalEveryClientIsRefusedAndARefusalTakesNoPlace() {
        RequestsInProgress r = new RequestsInProgress(3, 2);
        assertEquals(
                List.of(Refusal.NONE, Refusal.NONE, Refusal.NONE, Refusal.TOTAL, Refusal.TOTAL, Refusal.CLIENT),
                tryStarts(r, "a", "a", "b", "c", "b", "a"));
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
