package dev.explainable.serving.runtime.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class AdmissionTest {

    private static RequestDeadline in(long millis) {
        return RequestDeadline.after(Duration.ofMillis(millis));
    }

    @Test
    void runsUpToItsSlotsQueuesUpToItsPlacesAndRefusesTheRest() throws Exception {
        Admission admission = new Admission("explanations", "s", 1, 1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Admission.Permit first = admission.acquire(in(5_000));
            assertEquals(1, admission.running());
            CountDownLatch started = new CountDownLatch(1);
            Future<?> waiting = pool.submit(() -> {
                started.countDown();
                try (Admission.Permit p = admission.acquire(in(5_000))) {
                    return null;
                }
            });
            started.await();
            while (admission.queued() == 0) {
                Thread.sleep(1);
            }
            OverloadedException refused = assertThrows(OverloadedException.class, () -> admission.acquire(in(5_000)));
            assertTrue(refused.getMessage().contains("1 running and 1 queued"), refused.getMessage());
            assertEquals(1, admission.rejected());
            first.close();
            waiting.get(5, TimeUnit.SECONDS); // the queued one got the slot
            assertEquals(0, admission.running());
            assertEquals(0, admission.queued());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aQueuedRequestWaitsNoLongerThanItsDeadline() {
        Admission admission = new Admission("explanations", "s", 1, 4);
        try (Admission.Permit held = admission.acquire(in(5_000))) {
            long start = System.nanoTime();
            assertThrows(DeadlineExceededException.class, () -> admission.acquire(in(200)));
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited >= 150 && waited < 2_000, "waited " + waited + " ms");
            assertEquals(0, admission.queued());
        }
    }

    @Test
    void aRequestQueuedLongerThanTheQueueWaitIsRefusedAsOverload() {
        Admission admission = new Admission("explanations", "s", 1, 4, Duration.ofMillis(200));
        try (Admission.Permit held = admission.acquire(in(5_000))) {
            long start = System.nanoTime();
            OverloadedException e = assertThrows(OverloadedException.class, () -> admission.acquire(in(5_000)));
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited >= 150 && waited < 2_000, "waited " + waited + " ms");
            assertTrue(e.getMessage().contains("max-queue-wait"), e.getMessage());
            assertEquals(1, admission.rejected());
        }
    }

    @Test
    void afterStopNothingIsAdmitted() {
        Admission admission = new Admission("explanations", "s", 2, 2);
        admission.stop();
        OverloadedException e = assertThrows(OverloadedException.class, () -> admission.acquire(in(1_000)));
        assertTrue(e.stopping());
    }

    @Test
    void refusesNonsenseSizes() {
        assertThrows(IllegalArgumentException.class, () -> new Admission("x", "s", 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Admission("x", "s", 1, -1));
    }
}
