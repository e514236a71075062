package dev.explainable.serving.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

import dev.explainable.serving.runtime.tensor.HostTensor;
import dev.explainable.serving.runtime.work.DeadlineExceededException;
import dev.explainable.serving.runtime.work.InvalidInstanceException;
import dev.explainable.serving.runtime.work.RequestDeadline;
import dev.explainable.serving.runtime.work.ResourceExhaustedException;

/**
 * Cross-request batching on its own: the runner is a stand-in that doubles each fed row (and records the batches
 * it saw), so joining, splitting and isolation can be checked exactly. The real model is in SharedRunsModelTest.
 */
class SharedRunsTest {

    static Graph graph;
    static Output<?> x;
    static Output<?> y;

    @BeforeAll
    static void tensors() {
        graph = new Graph();
        Ops tf = Ops.create(graph);
        x = tf.withName("x").placeholder(TFloat32.class).asOutput();
        y = tf.withName("y").math.mul(x.expect(TFloat32.class), tf.constant(2f)).asOutput();
    }

    @AfterAll
    static void close() {
        graph.close();
    }

    /** Doubles every value; fails a batch containing a negative value; sleeps to let parts queue up. */
    static final class Doubler implements SharedRuns.Runner {
        final List<Integer> batchRows = new ArrayList<>();
        final AtomicInteger running = new AtomicInteger();
        volatile int mostAtOnce;
        final long sleepMillis;

        Doubler(long sleepMillis) {
            this.sleepMillis = sleepMillis;
        }

        @Override
        public List<HostTensor> run(Map<Output<?>, HostTensor> feeds, List<Output<?>> fetches) {
            int now = running.incrementAndGet();
            mostAtOnce = Math.max(mostAtOnce, now);
            try {
                HostTensor in = feeds.get(x);
                synchronized (batchRows) {
                    batchRows.add((int) in.shape()[0]);
                }
                float[] out = in.floats().clone();
                for (int i = 0; i < out.length; i++) {
                    if (out[i] < 0) {
                        throw new InvalidInstanceException("negative value " + out[i]);
                    }
                    out[i] *= 2;
                }
                Thread.sleep(sleepMillis);
                return List.of(HostTensor.floats(in.shape(), out));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                running.decrementAndGet();
            }
        }
    }

    static HostTensor rows(float first, int n) {
        float[] v = new float[n * 3];
        for (int i = 0; i < v.length; i++) {
            v[i] = first + i;
        }
        return HostTensor.floats(new long[] {n, 3}, v);
    }

    static List<HostTensor> submit(SharedRuns shared, HostTensor in) {
        return shared.run(Map.of(x, in), List.of(y), (int) in.shape()[0]);
    }

    @Test
    void aLoneRequestRunsAtOnceAsItIs() {
        Doubler d = new Doubler(0);
        SharedRuns shared = new SharedRuns(d, 512, 1 << 20, TimeUnit.MILLISECONDS.toNanos(0), 2);
        HostTensor out = submit(shared, rows(1, 4)).get(0);
        assertArrayEquals(new long[] {4, 3}, out.shape());
        assertEquals(2f, out.floats()[0]);
        assertEquals(List.of(4), d.batchRows);
    }

    @Test
    void concurrentRequestsShareRunsAndEachGetsItsOwnRowsBack() throws Exception {
        Doubler d = new Doubler(20);
        SharedRuns shared = new SharedRuns(d, 512, 1 << 20, 0, 1);
        int clients = 16;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HostTensor>> answers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int n = 1 + c % 5;
                float first = 1000 * c;
                answers.add(pool.submit(() -> {
                    start.await();
                    return submit(shared, rows(first, n)).get(0);
                }));
            }
            start.countDown();
            for (int c = 0; c < clients; c++) {
                HostTensor got = answers.get(c).get(10, TimeUnit.SECONDS);
                HostTensor want = rows(1000 * c, 1 + c % 5);
                assertArrayEquals(want.shape(), got.shape());
                for (int i = 0; i < want.size(); i++) {
                    assertEquals(2 * want.floats()[i], got.floats()[i], "client " + c + " value " + i);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(16, shared.partsRun());
        assertTrue(shared.runs() < 16, "runs were shared: " + d.batchRows);
        assertEquals(1, d.mostAtOnce, "one run at a time, as configured");
    }

    @Test
    void aSharedRunNeverExceedsItsPointsAndConcurrentRunsStayBounded() throws Exception {
        Doubler d = new Doubler(10);
        SharedRuns shared = new SharedRuns(d, 6, 1 << 20, 0, 2);
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int c = 0; c < 12; c++) {
                all.add(pool.submit(() -> submit(shared, rows(1, 2))));
            }
            for (Future<?> f : all) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(d.batchRows.stream().allMatch(r -> r <= 6), "batches " + d.batchRows);
        assertTrue(d.mostAtOnce <= 2, "at most two runs at once, saw " + d.mostAtOnce);
    }

    @Test
    void aRequestWhoseValuesFailTheRunFailsAloneTheOthersGetTheirAnswers() throws Exception {
        Doubler d = new Doubler(30);
        SharedRuns shared = new SharedRuns(d, 512, 1 << 20, TimeUnit.MILLISECONDS.toNanos(100), 1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<List<HostTensor>> good1 = pool.submit(() -> submit(shared, rows(1, 2)));
            Future<List<HostTensor>> bad = pool.submit(() -> submit(shared, rows(-100, 2)));
            Future<List<HostTensor>> good2 = pool.submit(() -> submit(shared, rows(5, 3)));
            assertEquals(2f, good1.get(10, TimeUnit.SECONDS).get(0).floats()[0]);
            assertEquals(10f, good2.get(10, TimeUnit.SECONDS).get(0).floats()[0]);
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
            assertTrue(
                    e.getCause() instanceof InvalidInstanceException,
                    e.getCause().toString());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Runs go to the request due first, not to the part that came first: a request that arrived later but is due
     * earlier runs before an earlier request's waiting part, so admitted requests of one budget finish in the order
     * they came instead of all together.
     */
    @Test
    void theRequestDueFirstRunsFirst() throws Exception {
        Doubler d = new Doubler(300);
        SharedRuns shared = new SharedRuns(d, 2, 1 << 20, 0, 1); // at most 2 rows a run: no two parts join
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<?> busy = pool.submit(() -> submit(shared, rows(1, 2))); // holds the only runner 300 ms
            Thread.sleep(50);
            Future<?> dueLater = pool.submit(() -> {
                try (RequestDeadline.Scope s =
                        RequestDeadline.after(Duration.ofSeconds(60)).enter()) {
                    return submit(shared, rows(100, 2));
                }
            });
            Thread.sleep(50);
            Future<?> dueSooner = pool.submit(() -> {
                try (RequestDeadline.Scope s =
                        RequestDeadline.after(Duration.ofSeconds(30)).enter()) {
                    return submit(shared, rows(200, 1));
                }
            });
            busy.get(10, TimeUnit.SECONDS);
            dueSooner.get(10, TimeUnit.SECONDS);
            dueLater.get(10, TimeUnit.SECONDS);
            assertEquals(List.of(2, 1, 2), d.batchRows, "the part due sooner (1 row) ran before the older one");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anOverdueRequestLeavesTheQueueWithItsDeadlineError() throws Exception {
        Doubler d = new Doubler(400);
        SharedRuns shared = new SharedRuns(d, 2, 1 << 20, 0, 1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> busy = pool.submit(() -> submit(shared, rows(1, 2))); // holds the only runner 400 ms
            Thread.sleep(50);
            Future<?> late = pool.submit(() -> {
                try (RequestDeadline.Scope s =
                        RequestDeadline.after(Duration.ofMillis(100)).enter()) {
                    return submit(shared, rows(1, 2));
                }
            });
            long start = System.nanoTime();
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> late.get(10, TimeUnit.SECONDS));
            assertTrue(
                    e.getCause() instanceof DeadlineExceededException,
                    e.getCause().toString());
            assertTrue(
                    System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(350), "left before the busy run ended");
            busy.get(10, TimeUnit.SECONDS);
            assertEquals(List.of(2), d.batchRows, "the overdue part never ran");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aJoinedRunThatRunsOutOfMemoryLowersTheRowLimitAndEveryPartStillGetsItsAnswer() throws Exception {
        Doubler d = new Doubler(30);
        // the device holds 4 rows: more fail as TensorFlow's allocator would
        SharedRuns.Runner small = (feeds, fetches) -> {
            if (feeds.get(x).shape()[0] > 4) {
                synchronized (d.batchRows) {
                    d.batchRows.add((int) feeds.get(x).shape()[0]);
                }
                throw new ResourceExhaustedException("out of memory");
            }
            return d.run(feeds, fetches);
        };
        RowLimit limit = new RowLimit();
        SharedRuns shared = new SharedRuns(small, 512, limit, 1 << 20, TimeUnit.MILLISECONDS.toNanos(100), 1);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (int round = 0; round < 2; round++) {
                List<Future<List<HostTensor>>> answers = new ArrayList<>();
                for (int c = 0; c < 3; c++) {
                    float first = 100 * c;
                    answers.add(pool.submit(() -> submit(shared, rows(first, 3))));
                }
                for (int c = 0; c < 3; c++) {
                    assertEquals(
                            200f * c,
                            answers.get(c).get(10, TimeUnit.SECONDS).get(0).floats()[0]);
                }
                if (round == 0) {
                    assertTrue(limit.lowered(), "batches " + d.batchRows);
                    assertTrue(limit.get() <= 4, "limit " + limit.get());
                    d.batchRows.clear();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        // after the first out-of-memory, no join goes past the limit: nothing fails and runs again
        assertTrue(d.batchRows.stream().allMatch(r -> r <= limit.get()), "batches " + d.batchRows);
    }
}
