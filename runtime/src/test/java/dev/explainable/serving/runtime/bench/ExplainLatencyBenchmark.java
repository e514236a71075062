package dev.explainable.serving.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tensorflow.Output;

import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.explain.IntegratedGradients;
import dev.explainable.serving.runtime.explain.Instance;
import dev.explainable.serving.runtime.model.ModelService;
import dev.explainable.serving.runtime.model.ServingModel;
import dev.explainable.serving.runtime.model.ServingModel.ExplainedInput;
import dev.explainable.serving.runtime.model.ServingModel.ExplainedOutput;
import dev.explainable.serving.runtime.tensor.HostTensor;

/**
 * Prints explain latency for one instance and its ratio to the raw cost of the same work: the same number of
 * interpolation points in the same batches, forward + backward, fed and fetched directly through the session.
 * The ratio is the runtime's overhead (decoding, interpolation, accumulation, JSON-ready results).
 *
 * <p>Run: {@code ./mvnw -pl runtime test -Dgroups=benchmark -DexcludedGroups=none -Dtest=ExplainLatencyBenchmark}.
 * Not a timed test: it asserts only that the figures were measured.
 */
@Tag("benchmark")
class ExplainLatencyBenchmark {

    static final int STEPS = 50;
    static final int ROUNDS = 20;

    @Test
    void explainLatencyVersusRawForwardBackward() throws Exception {
        System.out.printf("%n%-20s %6s %12s %12s %8s%n", "model", "steps", "explain ms", "raw fwd+bwd", "ratio");
        for (String model : List.of("tabular_classifier", "cnn_image", "mobilenet_v2")) {
            ModelService.Loaded loaded = TestModels.load(model, STEPS);
            JsonNode instanceJson = instance(model);
            double explain = median(() -> {
                Map<String, HostTensor> decoded = loaded.decoder().decode(instanceJson, 0);
                loaded.explainer().explain(loaded.runner().forward(List.of(decoded)).get(0));
            });
            Instance instance = loaded.runner().forward(List.of(loaded.decoder().decode(instanceJson, 0))).get(0);
            List<Map<Output<?>, HostTensor>> batches = rawBatches(loaded.model(), instance);
            ExplainedOutput out = loaded.model().explainedOutputs().get(0);
            List<Output<?>> fetches = new ArrayList<>();
            fetches.add(out.target());
            fetches.addAll(Arrays.asList(out.gradients()));
            double raw = median(() -> batches.forEach(feeds -> loaded.model().run(feeds, fetches)));
            System.out.printf("%-20s %6d %12.2f %12.2f %8.2f%n", model, STEPS, explain, raw, explain / raw);
            assertTrue(explain > 0 && raw > 0);
        }
    }

    static JsonNode instance(String model) throws Exception {
        JsonNode exp = TestModels.expected(model);
        return switch (model) {
            case "tabular_classifier" -> exp.get("instances").get(0);
            case "cnn_image" -> exp.get("image");
            default -> TestModels.JSON.readTree(
                    dev.explainable.serving.runtime.explain.IntegratedGradientsModelTestAccess.unitImage(exp.get("image_uint8")));
        };
    }

    /** The same points and batch sizes the explainer uses, prepared up front so only the session run is timed. */
    static List<Map<Output<?>, HostTensor>> rawBatches(ServingModel model, Instance instance) {
        ExplainedInput in = model.explainedInputs().get(0);
        HostTensor x = instance.explainedValues().get(in.key());
        ExplainedOutput out = model.explainedOutputs().get(0);
        float[] mask = new float[(int) HostTensor.elements(out.shape())];
        mask[0] = 1;
        int points = IntegratedGradients.points(STEPS);
        List<Map<Output<?>, HostTensor>> batches = new ArrayList<>();
        for (int start = 0; start < points; start += 64) {
            int n = Math.min(64, points - start);
            float[] data = new float[n * x.size()];
            for (int p = 0; p < n; p++) {
                IntegratedGradients.interpolate(new float[x.size()], x.floats(), (double) (start + p) / STEPS, data, p * x.size());
            }
            long[] shape = new long[x.shape().length + 1];
            shape[0] = n;
            System.arraycopy(x.shape(), 0, shape, 1, x.shape().length);
            Map<Output<?>, HostTensor> feeds = new LinkedHashMap<>();
            feeds.put(in.tensor(), HostTensor.floats(shape, data));
            feeds.put(out.mask().asOutput(), HostTensor.floats(out.shape(), mask));
            batches.add(feeds);
        }
        return batches;
    }

    static double median(Runnable r) {
        for (int i = 0; i < 3; i++) {
            r.run(); // warm-up
        }
        double[] ms = new double[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            long t = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return ms[ROUNDS / 2];
    }
}
