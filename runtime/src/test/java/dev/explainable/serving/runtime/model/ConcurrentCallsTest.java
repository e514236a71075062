package dev.explainable.serving.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.jboss.logging.MDC;
import org.junit.jupiter.api.Test;

import dev.explainable.serving.runtime.work.RequestDeadline;

/** One request's calls at once: they overlap, answer in order, carry the request's deadline, end before an error. */
class ConcurrentCallsTest {

    @Test
    void callsRunAtOnceTheFirstOnTheCallersThreadAndAnswerInOrder() {
        // each call waits for the other two: only calls running at the same time get past the barrier
        CyclicBarrier all = new CyclicBarrier(3);
        Supplier<String> call = () -> {
            try {
                all.await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("the calls did not run at once", e);
            }
            return Thread.currentThread().getName();
        };
        List<String> threads = ConcurrentCalls.all(List.of(call, call, call));
        assertEquals(Thread.currentThread().getName(), threads.get(0));
        assertNotEquals(threads.get(1), threads.get(2));
        assertTrue(threads.get(1).startsWith("model-call-"), threads.get(1));

        List<Integer> order = ConcurrentCalls.all(List.of(() -> sleepThen(200, 0), () -> 1, () -> sleepThen(50, 2)));
        assertEquals(List.of(0, 1, 2), order);
    }

    @Test
    void helpersWorkUnderTheRequestsDeadlineAndNoneOutsideARequest() {
        RequestDeadline deadline = RequestDeadline.after(Duration.ofMinutes(1));
        try (RequestDeadline.Scope in = deadline.enter()) {
            List<RequestDeadline> seen = ConcurrentCalls.all(
                    List.of(RequestDeadline::current, RequestDeadline::current, RequestDeadline::current));
            seen.forEach(d -> assertSame(deadline, d));
        }
        List<RequestDeadline> outside =
                ConcurrentCalls.all(List.of(RequestDeadline::current, RequestDeadline::current));
        outside.forEach(d -> assertNull(d, "a helper keeps no earlier request's deadline"));
    }

    @Test
    void helpersLogUnderTheRequestsIdAndKeepNoneAfterwards() {
        Supplier<Object> requestId = () -> MDC.get("requestId");
        MDC.put("requestId", "r-1");
        try {
            assertEquals(List.of("r-1", "r-1", "r-1"), ConcurrentCalls.all(List.of(requestId, requestId, requestId)));
        } finally {
            MDC.remove("requestId");
        }
        List<Object> after = ConcurrentCalls.all(List.of(requestId, requestId, requestId));
        after.forEach(id -> assertNull(id, "a helper keeps no earlier request's id"));
    }

    @Test
    void anErrorIsThrownAsItWasOnceEveryCallHasEnded() {
        IllegalArgumentException first = new IllegalArgumentException("the first call's");
        AtomicBoolean helperEnded = new AtomicBoolean();
        IllegalArgumentException thrown = assertThrows(
                IllegalArgumentException.class,
                () -> ConcurrentCalls.all(List.<Supplier<Integer>>of(
                        () -> {
                            throw first;
                        },
                        () -> {
                            int v = sleepThen(300, 1);
                            helperEnded.set(true);
                            return v;
                        })));
        assertSame(first, thrown);
        assertTrue(helperEnded.get(), "the helper's call ended before the error was thrown");

        IllegalStateException helpers = new IllegalStateException("a helper's");
        assertSame(
                helpers,
                assertThrows(
                        IllegalStateException.class,
                        () -> ConcurrentCalls.all(List.<Supplier<Integer>>of(() -> 0, () -> {
                            throw helpers;
                        }))));
    }

    private static int sleepThen(long millis, int value) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return value;
    }
}
