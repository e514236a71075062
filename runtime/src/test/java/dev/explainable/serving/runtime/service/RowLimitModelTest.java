package dev.explainable.serving.runtime.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.tensorflow.Output;

import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.explain.Attribution;
import dev.explainable.serving.runtime.explain.ExplainedInstance;
import dev.explainable.serving.runtime.explain.InputValues;
import dev.explainable.serving.runtime.explain.IntegratedGradientsExplainer;
import dev.explainable.serving.runtime.explain.IntegrationRule;
import dev.explainable.serving.runtime.explain.PathOptions;
import dev.explainable.serving.runtime.explain.ScoreFunction;
import dev.explainable.serving.runtime.model.ForwardResult;
import dev.explainable.serving.runtime.model.LabelTargets;
import dev.explainable.serving.runtime.model.ModelRunner;
import dev.explainable.serving.runtime.model.OutputInfo;
import dev.explainable.serving.runtime.model.RowLimit;
import dev.explainable.serving.runtime.model.ServingModel;
import dev.explainable.serving.runtime.model.SharedRuns;
import dev.explainable.serving.runtime.tensor.HostTensor;
import dev.explainable.serving.runtime.tensor.InstanceDecoder;
import dev.explainable.serving.runtime.work.ResourceExhaustedException;

/**
 * The batch size fitted to the device's memory, on the committed small CNN: a device that runs out of memory above
 * some rows per run (a real session behind a runner that refuses larger runs as TensorFlow's allocator would, the
 * only way to run out of memory on purpose on a CPU) still gets the same attributions, in runs that fit, and the
 * model's limit stays lowered for later requests.
 */
class RowLimitModelTest {

    /** The real session, refusing runs of more than {@code fits} rows with TensorFlow's out-of-memory error. */
    static final class SmallDevice implements SharedRuns.Runner {
        final ServingModel model;
        final int fits;
        final List<Integer> runRows = new ArrayList<>();

        SmallDevice(ServingModel model, int fits) {
            this.model = model;
            this.fits = fits;
        }

        @Override
        public synchronized List<HostTensor> run(Map<Output<?>, HostTensor> feeds, List<Output<?>> fetches) {
            int rows = (int) feeds.values().iterator().next().shape()[0];
            runRows.add(rows);
            if (rows > fits) {
                throw new ResourceExhaustedException("out of memory");
            }
            return model.run(feeds, fetches);
        }
    }

    record Setup(ModelRunner runner, ForwardResult forward, OutputInfo output, ExplainedInstance instance) {
        Attribution explain(int batchSize) {
            ScoreFunction f = runner.scoreFunction(forward, output, LabelTargets.top(forward, output), batchSize);
            return new IntegratedGradientsExplainer(PathOptions.of(50, IntegrationRule.TRAPEZOID)).explain(instance, f);
        }
    }

    static Setup setUp(LoadedModel loaded, SharedRuns shared, RowLimit limit) {
        ModelRunner runner = new ModelRunner(loaded.model(), Long.MAX_VALUE, shared, limit);
        JsonNode image = TestModels.expected("cnn_image").get("image");
        ForwardResult r = new ModelRunner(loaded.model())
                .forward(List.of(new InstanceDecoder(loaded.signature().signatureInputs(), Map.of()).decode(image, 0)))
                .get(0);
        HostTensor x = r.explainedValues().get("image");
        ExplainedInstance instance =
                ExplainedInstance.withZeroBaselines(List.of(new InputValues("image", x.shape(), x.floats(), null)));
        return new Setup(runner, r, loaded.signature().explainedOutputs().get(0), instance);
    }

    @Test
    void runsThatRunOutOfMemoryAreSplitAndTheAttributionsAreTheSame() {
        {
            var loaded = TestModels.load("cnn_image", 50); // cached for the JVM: not closed here
            Attribution reference = setUp(loaded, null, new RowLimit()).explain(64); // 51 points, one run
            SmallDevice device = new SmallDevice(loaded.model(), 12);
            RowLimit limit = new RowLimit();
            SharedRuns shared = new SharedRuns(device, 512, limit, Long.MAX_VALUE, 0, 2);
            Setup small = setUp(loaded, shared, limit);

            Attribution fitted = small.explain(64);

            assertArrayEquals(
                    reference.inputs().get(0).values(), fitted.inputs().get(0).values(), 1e-6f);
            assertEquals(reference.exampleScore(), fitted.exampleScore(), 1e-6);
            // 51 rows failed, then halves until a run fitted: the limit is the first half that did
            assertTrue(limit.lowered());
            assertTrue(limit.get() <= 12 && limit.get() >= 6, "limit " + limit.get());
            assertTrue(device.runRows.contains(51), "the first run took every point: " + device.runRows);

            // a later request starts at the fitted size: no run over the limit any more
            device.runRows.clear();
            Attribution again = small.explain(64);
            assertArrayEquals(
                    reference.inputs().get(0).values(), again.inputs().get(0).values(), 1e-6f);
            assertFalse(device.runRows.isEmpty());
            assertTrue(device.runRows.stream().allMatch(n -> n <= limit.get()), "runs " + device.runRows);
        }
    }

    @Test
    void aSinglePointThatDoesNotFitFailsTheRequestWithTheOutOfMemoryError() {
        {
            var loaded = TestModels.load("cnn_image", 50); // cached for the JVM: not closed here
            SmallDevice device = new SmallDevice(loaded.model(), 0);
            RowLimit limit = new RowLimit();
            Setup none = setUp(loaded, new SharedRuns(device, 512, limit, Long.MAX_VALUE, 0, 2), limit);

            assertThrows(ResourceExhaustedException.class, () -> none.explain(64));
            assertEquals(1, limit.get());
            assertEquals(1, device.runRows.get(device.runRows.size() - 1));
        }
    }

    @Test
    void theLimitOnlyEverGoesDown() {
        RowLimit limit = new RowLimit();
        assertFalse(limit.lowered());
        limit.ranOutOfMemoryAt(40);
        assertEquals(20, limit.get());
        limit.ranOutOfMemoryAt(100); // a larger run that was already in flight
        assertEquals(20, limit.get());
        limit.ranOutOfMemoryAt(1);
        assertEquals(1, limit.get());
    }
}
