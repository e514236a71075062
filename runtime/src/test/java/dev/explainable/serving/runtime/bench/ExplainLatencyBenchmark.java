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
import dev.explainable.serving.runtime.explain.IntegrationRule;
import dev.explainable.serving.runtime.model.ExplainedInput;
import dev.explainable.serving.runtime.model.ExplainedOutput;
import dev.explainable.serving.runtime.model.ForwardResult;
import dev.explainable.serving.runtime.model.ModelRunner;
import dev.explainable.serving.runtime.model.ServingModel;
import dev.explainable.serving.runtime.service.ExplainOptions;
import dev.explainable.serving.runtime.service.LoadedModel;
import dev.explainable.serving.runtime.service.ModelLoader;
import dev.explainable.serving.runtime.tensor.HostTensor;
import dev.explainable.serving.runtime.tensor.InstanceDecoder;
import dev.explainable.serving.runtime.testing.TestOptions;

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
        System.out.printf(
                "%n%-20s %6s %12s %12s %8s %12s %14s%n",
                "model", "steps", "explain ms", "raw fwd+bwd", "ratio", "forward ms", "label named ms");
        for (String model : List.of("tabular_classifier", "cnn_image", "mobilenet_v2")) {
            LoadedModel loaded = TestModels.load(model, STEPS);
            JsonNode instanceJson = instance(model);
            warmUp(() -> TestModels.explainOne(loaded, instanceJson));
            double explain = median(() -> TestModels.explainOne(loaded, instanceJson));
            // the same label named: a forward run first, as every explanation of the top class made before its
            // first run chose the class (TopClassScores)
            int label =
                    TestModels.explainOne(loaded, instanceJson).labels().get(0).labelIndex();
            ExplainOptions named = new ExplainOptions(null, null, null, null, 1, List.of(label), null, null, null);
            double explainNamed = median(() -> loaded.pipeline().explain(List.of(instanceJson), named));
            Map<String, HostTensor> decoded =
                    new InstanceDecoder(loaded.signature().signatureInputs(), Map.of()).decode(instanceJson, 0);
            ModelRunner runner = new ModelRunner(loaded.model());
            ForwardResult instance = runner.forward(List.of(decoded)).get(0);
            // the forward run an explanation made first for its label until its first run chose it: what that saves
            double forward = median(() -> runner.forward(List.of(decoded)));
            List<Map<Output<?>, HostTensor>> batches = rawBatches(loaded.model(), instance);
            ExplainedOutput out = loaded.model().explainedOutputs().get(0);
            List<Output<?>> fetches = new ArrayList<>();
            fetches.add(out.target());
            fetches.addAll(Arrays.asList(out.gradients()));
            double raw = median(() -> batches.forEach(feeds -> loaded.model().run(feeds, fetches)));
            System.out.printf(
                    "%-20s %6d %12.2f %12.2f %8.2f %12.2f %14.2f%n",
                    model, STEPS, explain, raw, explain / raw, forward, explainNamed);
            assertTrue(explain > 0 && raw > 0);
        }
    }

    /**
     * XRAI versus IG on a 224 x 224 image with the same steps. XRAI runs IG from two baselines (black and white),
     * so it is compared both with single-baseline IG and with IG over the same two baselines; the latter ratio is
     * the cost of segmentation and region ranking. The model: the small fully convolutional {@code fcn_image}, or
     * {@code -Dbenchmark.xrai-model=DIR} (ResNet-50: {@code tools/make-test-models.py DIR/.. resnet50}, made by
     * tools/bench/throughput.py under ~/.cache/explainable-serving/bench-models); {@code -Dbenchmark.steps=N},
     * {@code -Dbenchmark.rounds=N} (medians of 9 by default).
     */
    @Test
    void xraiVersusIntegratedGradientsAt224() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("bench");
        String model = System.getProperty("benchmark.xrai-model", "fcn_image");
        int rounds = Integer.getInteger("benchmark.rounds", 9);
        var meta = (com.fasterxml.jackson.databind.node.ObjectNode) TestModels.JSON.readTree(
                java.nio.file.Files.readString(TestModels.dir(model).resolve("explanation_metadata.json")));
        var input = (com.fasterxml.jackson.databind.node.ObjectNode)
                meta.get("inputs").elements().next();
        input.putArray("input_baselines").add(0.0).add(1.0);
        java.nio.file.Path two = dir.resolve("two.json");
        java.nio.file.Files.writeString(two, meta.toString());
        String steps = String.valueOf(Integer.getInteger("benchmark.steps", STEPS));
        var ig = ModelLoader.load(TestModels.options(model, "explain.integral-steps", steps));
        var ig2 = ModelLoader.load(
                TestModels.options(model, "explain.integral-steps", steps, "explain.metadata.file", two.toString()));
        var xrai =
                ModelLoader.load(TestModels.options(model, "explain.integral-steps", steps, "explain.method", "xrai"));
        StringBuilder b = new StringBuilder("[");
        for (int y = 0; y < 224; y++) {
            b.append(y == 0 ? "[" : ",[");
            for (int x = 0; x < 224; x++) {
                b.append(x == 0 ? "" : ",")
                        .append('[')
                        .append(((x * 7 + y * 3) % 256) / 255.0)
                        .append(',')
                        .append(((x * y) % 256) / 255.0)
                        .append(',')
                        .append((y < 112 ? 0.2 : 0.8))
                        .append(']');
            }
            b.append(']');
        }
        JsonNode image = TestModels.JSON.readTree(b.append(']').toString());
        // round-robin, so that the machine's other load falls on all three
        double[][] ms = new double[3][rounds];
        List<LoadedModel> three = List.of(ig, ig2, xrai);
        three.forEach(m -> explainOnce(m, image));
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < 3; k++) {
                long t = System.nanoTime();
                explainOnce(three.get(k), image);
                ms[k][r] = (System.nanoTime() - t) / 1e6;
            }
        }
        for (double[] m : ms) {
            Arrays.sort(m);
        }
        double tIg = ms[0][rounds / 2];
        double tIg2 = ms[1][rounds / 2];
        double tXrai = ms[2][rounds / 2];
        long s0 = System.nanoTime();
        float[] pixels = new float[224 * 224 * 3];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float)
                    image.get(i / (224 * 3)).get((i / 3) % 224).get(i % 3).asDouble();
        }
        int masks = dev.explainable.serving.runtime.explain.xrai.XraiSegmenter.masks(
                        pixels, 224, 224, 3, TestOptions.from().attribution().xrai())
                .size();
        double seg = (System.nanoTime() - s0) / 1e6;
        System.out.printf(
                "%n%s, 224x224, %s steps, medians of %d: IG %.0f ms, IG with black+white baselines %.0f ms, XRAI %.0f ms "
                        + "(segmentation %.0f ms, %d masks)%nXRAI / IG = %.2f, XRAI / IG(same two baselines) = %.2f%n",
                model, steps, rounds, tIg, tIg2, tXrai, seg, masks, tXrai / tIg, tXrai / tIg2);
        assertTrue(tXrai > 0 && tIg > 0);
    }

    static void explainOnce(LoadedModel loaded, JsonNode instance) {
        TestModels.explainOne(loaded, instance);
    }

    static double medianOf(int rounds, Runnable r) {
        r.run();
        double[] ms = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long t = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return ms[rounds / 2];
    }

    static JsonNode instance(String model) throws Exception {
        JsonNode exp = TestModels.expected(model);
        return switch (model) {
            case "tabular_classifier" -> exp.get("instances").get(0);
            case "cnn_image" -> exp.get("image");
            default -> TestModels.JSON.readTree(TestModels.unitImage(exp.get("image_uint8")));
        };
    }

    /** The same points and batch sizes the explainer uses, prepared up front so only the session run is timed. */
    static List<Map<Output<?>, HostTensor>> rawBatches(ServingModel model, ForwardResult instance) {
        ExplainedInput in = model.explainedInputs().get(0);
        HostTensor x = instance.explainedValues().get(in.key());
        ExplainedOutput out = model.explainedOutputs().get(0);
        float[] mask = new float[(int) HostTensor.elements(out.info().shape())];
        mask[0] = 1;
        int points = IntegrationRule.TRAPEZOID.points(STEPS);
        List<Map<Output<?>, HostTensor>> batches = new ArrayList<>();
        for (int start = 0; start < points; start += 64) {
            int n = Math.min(64, points - start);
            float[] data = new float[n * x.size()];
            for (int p = 0; p < n; p++) {
                IntegratedGradients.interpolate(
                        new float[x.size()], x.floats(), (double) (start + p) / STEPS, data, p * x.size());
            }
            long[] shape = new long[x.shape().length + 1];
            shape[0] = n;
            System.arraycopy(x.shape(), 0, shape, 1, x.shape().length);
            Map<Output<?>, HostTensor> feeds = new LinkedHashMap<>();
            feeds.put(in.tensor(), HostTensor.floats(shape, data));
            feeds.put(
                    out.mask().asOutput(),
                    HostTensor.stack(java.util.Collections.nCopies(
                            n, HostTensor.floats(out.info().shape(), mask))));
            if (out.choosesLabels()) { // the mask's label on every row
                feeds.put(
                        out.labelSource().asOutput(),
                        new HostTensor(dev.explainable.serving.runtime.tensor.DType.INT32, new long[] {n}, new int[n]));
                feeds.put(out.labelChosen().asOutput(), HostTensor.floats(new long[] {n}, new float[n]));
            }
            batches.add(feeds);
        }
        return batches;
    }

    /** Runs {@code r} for 3 s: the JIT compiles the explain path's hot loops first (20 rounds alone did not). */
    static void warmUp(Runnable r) {
        long until = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < until) {
            r.run();
        }
    }

    static double median(Runnable r) {
        r.run();
        r.run(); // warm-up beyond the one in medianOf
        return medianOf(ROUNDS, r);
    }
}
