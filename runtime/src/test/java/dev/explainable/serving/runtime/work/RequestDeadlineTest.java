package dev.explainable.serving.runtime.work;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RequestDeadlineTest {

    @AfterEach
    void clear() {
        RequestDeadline.resetStop();
    }

    @Test
    void passesUntilItsTimeThenNamesTheSetting() throws Exception {
        RequestDeadline d = RequestDeadline.after(Duration.ofMillis(100));
        assertDoesNotThrow(d::check);
        Thread.sleep(150);
        DeadlineExceededException e = assertThrows(DeadlineExceededException.class, d::check);
        assertFalse(e.cancelled());
        assertTrue(e.getMessage().contains("explain.limits.deadline"), e.getMessage());
    }

    @Test
    void aCancelledRequestStopsAtItsNextCheck() {
        RequestDeadline d = RequestDeadline.after(Duration.ofSeconds(60));
        d.cancel("the client closed the connection");
        DeadlineExceededException e = assertThrows(DeadlineExceededException.class, d::check);
        assertTrue(e.cancelled());
        assertTrue(d.isCancelled());
    }

    @Test
    void theThreadSeesTheDeadlineOfItsRequestOnlyInsideTheScope() {
        RequestDeadline d = RequestDeadline.after(Duration.ofSeconds(60));
        assertNull(RequestDeadline.current());
        try (RequestDeadline.Scope scope = d.enter()) {
            assertSame(d, RequestDeadline.current());
            d.cancel("gone");
            assertThrows(DeadlineExceededException.class, RequestDeadline::checkCurrent);
        }
        assertNull(RequestDeadline.current());
        assertDoesNotThrow(RequestDeadline::checkCurrent);
    }

    @Test
    void shutdownCutsEveryRequestShort() {
        RequestDeadline d = RequestDeadline.after(Duration.ofSeconds(60));
        RequestDeadline.stopAllAfter(Duration.ZERO);
        DeadlineExceededException e = assertThrows(DeadlineExceededException.class, d::check);
        assertTrue(e.cancelled());
        assertTrue(d.remainingNanos() <= 0);
    }
}
