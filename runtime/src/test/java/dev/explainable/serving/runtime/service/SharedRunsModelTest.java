package dev.explainable.serving.runtime.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.result.LabelAttribution;

/**
 * Cross-request batching on a real SavedModel: concurrent explanations of different instances, explaining different
 * labels, share TensorFlow runs and get the same attributions as when each request runs alone.
 */
class SharedRunsModelTest {

    static String instance(int i) {
        double[] x = {0.3 - 0.2 * i, -1.2 + 0.35 * i, 2.0 - 0.4 * i, 0.7 + 0.1 * i, -0.4 + 0.25 * (i % 3)};
        return java.util.Arrays.toString(x);
    }

    @Test
    void concurrentExplanationsSharingRunsEqualTheirSolitaryAnswers() throws Exception {
        int clients = 8;
        List<LabelAttribution> alone = new ArrayList<>();
        try (LoadedModel solo =
                ModelLoader.load(TestModels.options("tabular_classifier", "explain.batching.enabled", "false"))) {
            for (int c = 0; c < clients; c++) {
                alone.add(TestModels.explain(solo, instance(c)));
            }
        }
        Set<Integer> labels = new HashSet<>();
        alone.forEach(a -> labels.add(a.labelIndex()));
        assertTrue(labels.size() > 1, "the instances explain different labels: " + labels);

        // a long fill wait and one run at a time make the requests meet in shared runs
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try (LoadedModel shared = ModelLoader.load(TestModels.options(
                "tabular_classifier", "explain.batching.max-wait", "50ms", "explain.batching.concurrent-runs", "1"))) {
            for (int round = 0; round < 3; round++) {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<LabelAttribution>> answers = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    String x = instance(c);
                    answers.add(pool.submit(() -> {
                        start.await();
                        return TestModels.explain(shared, x);
                    }));
                }
                start.countDown();
                for (int c = 0; c < clients; c++) {
                    assertSameAnswer("client " + c, alone.get(c), answers.get(c).get(30, TimeUnit.SECONDS));
                }
            }
            var runs = shared.pipeline().sharedRuns();
            System.out.printf(
                    "tabular_classifier: %d parts of %d requests in %d shared runs%n",
                    runs.partsRun(), 3 * clients, runs.runs());
            assertTrue(runs.runs() < runs.partsRun(), "runs were shared");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anExplanationSplitIntoRunsAtOnceEqualsItsAnswerInOneRun() throws Exception {
        // 51 points of 5 values, at most 20 points a run: three runs of 17, two at once
        try (LoadedModel whole = ModelLoader.load(
                        TestModels.options("tabular_classifier", "explain.batching.enabled", "false"));
                LoadedModel split = ModelLoader.load(TestModels.options(
                        "tabular_classifier",
                        "explain.limits.max-batch-elements",
                        "100",
                        "explain.batching.concurrent-runs",
                        "2"))) {
            for (int c = 0; c < 3; c++) {
                LabelAttribution want = TestModels.explain(whole, instance(c));
                long runsBefore = split.pipeline().sharedRuns().runs();
                assertSameAnswer("instance " + c, want, TestModels.explain(split, instance(c)));
                assertEquals(
                        1 + 3,
                        split.pipeline().sharedRuns().runs() - runsBefore,
                        "the forward run and three gradient runs");
            }
        }
    }

    /** The same label, scores, approx_error and attributions (up to float noise: rows ran in other runs). */
    private static void assertSameAnswer(String what, LabelAttribution want, LabelAttribution got) {
        assertEquals(want.labelIndex(), got.labelIndex(), what);
        assertEquals(want.exampleScore(), got.exampleScore(), 1e-6, what);
        assertEquals(want.baselineScore(), got.baselineScore(), 1e-6, what);
        assertEquals(want.approxError(), got.approxError(), 1e-6, what);
        IntegratedGradientsModelTest.assertClose(
                TestModels.flat(want.attributions().get("features")),
                TestModels.flat(got.attributions().get("features")),
                1e-5);
    }
}
