package dev.explainable.serving.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.result.LabelAttribution;
import dev.explainable.serving.runtime.service.ExplainOptions;
import dev.explainable.serving.runtime.service.LoadedModel;
import dev.explainable.serving.runtime.service.ModelLoader;

/**
 * Model evaluations and latency to reach approx_error at most 0.05 and 0.01 on the image test models: the trapezoid
 * rule at fixed 50, 100, 200 and 400 steps against refinement towards each target (doubling from 50, and from 25,
 * up to the default cap of 400; for MobileNetV2 also fixed 800 and the largest cap, 1000), over eight images per model (the committed sample and seven transforms of it: the
 * gap depends on the image, which is what a per-instance stop exploits). Points per explanation are the steps + 1
 * (the refinement's are its reported steps + 1: every point is evaluated once, as StepDoublingTest checks).
 *
 * <p>Run: {@code ./mvnw -pl contract,runtime test -Dtest=AdaptiveStepsBenchmark -DexcludedTestGroups=none}. Not a
 * timed test: it asserts only that the figures were measured. The latencies are medians of {@link #ROUNDS} (3 on MobileNetV2) timed
 * runs per image, taken round-robin over the strategies after one untimed run of each.
 */
@Tag("benchmark")
class AdaptiveStepsBenchmark {

    /** Timed rounds per image and strategy, after one untimed round of every strategy (3 on MobileNetV2). */
    static final int ROUNDS = 5;

    /** How an image is explained: fixed steps, or a target error refined from {@code steps} up to {@code cap}. */
    record Strategy(String name, int steps, Double target, int cap, String placement) {

        static Strategy fixed(int steps) {
            return new Strategy("fixed " + steps, steps, null, 400, "equal");
        }

        /** Points placed where the score changes (explain.step-placement=score-change). */
        static Strategy target(double target, int from, int cap) {
            return refined(target, from, cap, "placed", "score-change");
        }

        /** The intervals where the error is halved (explain.step-placement=local-error, the default). */
        static Strategy bisected(double target, int from, int cap) {
            return refined(target, from, cap, "local error", "local-error");
        }

        /** Equal steps, doubled (explain.step-placement=equal: the refinement before placement). */
        static Strategy equal(double target, int from, int cap) {
            return refined(target, from, cap, "equal steps", "equal");
        }

        private static Strategy refined(double target, int from, int cap, String label, String placement) {
            return new Strategy(
                    "target " + target + " from " + from + (cap == 400 ? "" : ", cap " + cap) + ", " + label,
                    from,
                    target,
                    cap,
                    placement);
        }

        /** Forward-only probe points per image (one path: the zero baseline). */
        int probePoints() {
            return target != null && placement.equals("score-change") && steps >= 4 ? steps / 2 + 1 : 0;
        }

        String key() {
            return steps + "/" + cap + "/" + placement;
        }
    }

    static final List<Strategy> STRATEGIES = List.of(
            Strategy.fixed(50),
            Strategy.fixed(100),
            Strategy.fixed(200),
            Strategy.fixed(400),
            Strategy.target(0.05, 50, 400),
            Strategy.equal(0.05, 50, 400),
            Strategy.target(0.05, 25, 400),
            Strategy.equal(0.05, 25, 400),
            Strategy.target(0.01, 50, 400),
            Strategy.equal(0.01, 50, 400),
            Strategy.target(0.01, 25, 400),
            Strategy.equal(0.01, 25, 400),
            Strategy.target(0.01, 8, 400),
            Strategy.target(0.002, 8, 400),
            Strategy.bisected(0.05, 50, 400),
            Strategy.bisected(0.05, 25, 400),
            Strategy.bisected(0.01, 50, 400),
            Strategy.bisected(0.01, 25, 400),
            Strategy.bisected(0.01, 8, 400));

    /** MobileNetV2's saturated softmax needs far more steps: the same, and up to the largest cap. */
    static final List<Strategy> MORE = List.of(
            Strategy.fixed(800),
            Strategy.target(0.05, 50, 1000),
            Strategy.equal(0.05, 50, 1000),
            Strategy.target(0.01, 50, 1000),
            Strategy.bisected(0.05, 50, 1000),
            Strategy.bisected(0.01, 50, 1000));

    @Test
    void pointsAndLatencyToReachATargetError() throws Exception {
        StringBuilder table = new StringBuilder();
        StringBuilder perImage = new StringBuilder();
        table.append("| model | strategy | points per image (mean) | probe points (forward only) | steps per image "
                        + "| ≤ 0.05 | ≤ 0.01 | approx_error median (max) | fixed-step points for the same approx_error "
                        + "(median, 1/steps) | ms per image (median) |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (String model :
                System.getProperty("benchmark.models", "cnn_image,mobilenet_v2").split(",")) {
            List<Strategy> strategies = new ArrayList<>(STRATEGIES);
            if (model.equals("mobilenet_v2")) {
                strategies.addAll(MORE);
            }
            List<JsonNode> images = images(model);
            Map<String, LoadedModel> loaded = new LinkedHashMap<>();
            int n = images.size();
            int k = strategies.size();
            double[][] gaps = new double[k][n];
            int[][] steps = new int[k][n];
            int rounds = model.equals("mobilenet_v2") ? 3 : ROUNDS;
            double[][][] ms = new double[k][n][rounds];
            for (int s = 0; s < k; s++) {
                Strategy st = strategies.get(s);
                LoadedModel m = loaded.computeIfAbsent(
                        st.key(),
                        key -> ModelLoader.load(TestModels.options(
                                model,
                                "explain.integral-steps",
                                String.valueOf(st.steps()),
                                "explain.max-integral-steps",
                                String.valueOf(st.cap()),
                                "explain.step-placement",
                                st.placement())));
                ExplainOptions options = ExplainOptions.NONE.withTargetApproxError(st.target());
                for (int i = 0; i < n; i++) {
                    LabelAttribution a = m.pipeline()
                            .explain(List.of(images.get(i)), options)
                            .get(0)
                            .labels()
                            .get(0);
                    gaps[s][i] = a.approxError();
                    steps[s][i] = a.integralSteps() != null ? a.integralSteps() : st.steps();
                }
            }
            // timed round-robin over the strategies, so that what else the machine does falls on all of them
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < n; i++) {
                    for (int s = 0; s < k; s++) {
                        Strategy st = strategies.get(s);
                        LoadedModel m = loaded.get(st.key());
                        ExplainOptions options = ExplainOptions.NONE.withTargetApproxError(st.target());
                        long t = System.nanoTime();
                        m.pipeline().explain(List.of(images.get(i)), options);
                        ms[s][i][r] = (System.nanoTime() - t) / 1e6;
                    }
                }
            }
            for (int s = 0; s < k; s++) {
                Strategy st = strategies.get(s);
                double points = Arrays.stream(steps[s])
                        .mapToDouble(v -> v + 1)
                        .average()
                        .orElseThrow();
                double[] medians = new double[n];
                for (int i = 0; i < n; i++) {
                    medians[i] = median(ms[s][i]);
                }
                // the trapezoid's gap falls as 1/n on the small CNN (the fixed rows show it: a kink at the black
                // baseline, StraightPath.NEAR_START): the fixed steps that reach this strategy's gap on each image,
                // from that image's gap at fixed 50 (strategy 0), plus one for the points
                double[] equalFixed = new double[n];
                for (int i = 0; i < n; i++) {
                    equalFixed[i] = 1 + Math.ceil(50 * gaps[0][i] / Math.max(gaps[s][i], 1e-12));
                }
                table.append(String.format(
                        "| %s | %s | %.1f | %d | %s | %d/%d | %d/%d | %.5f (%.5f) | %s | %.1f |%n",
                        model,
                        st.name(),
                        points,
                        st.probePoints(),
                        distinct(steps[s]),
                        Arrays.stream(gaps[s]).filter(g -> g <= 0.05).count(),
                        n,
                        Arrays.stream(gaps[s]).filter(g -> g <= 0.01).count(),
                        n,
                        median(gaps[s]),
                        Arrays.stream(gaps[s]).max().orElseThrow(),
                        model.equals("cnn_image") ? String.format("%.0f", median(equalFixed)) : "—",
                        median(medians)));
                perImage.append(String.format(
                        "%-14s %-28s gaps %s steps %s%n",
                        model,
                        st.name(),
                        Arrays.stream(gaps[s])
                                .mapToObj(g -> String.format("%.4f", g))
                                .toList(),
                        Arrays.toString(steps[s])));
                assertTrue(points > 0);
            }
            loaded.values().forEach(LoadedModel::close);
        }
        System.out.printf("%n%s%n%s", perImage, table);
    }

    /** The steps used, each with how many images used it: "50 ×6, 100 ×2". */
    static String distinct(int[] steps) {
        StringBuilder b = new StringBuilder();
        Arrays.stream(steps).sorted().distinct().forEach(n -> {
            long count = Arrays.stream(steps).filter(m -> m == n).count();
            b.append(b.isEmpty() ? "" : ", ").append(n).append(" ×").append(count);
        });
        return b.toString();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** The committed sample image [h][w][3] and seven transforms of it, as JSON instances. */
    static List<JsonNode> images(String model) throws Exception {
        JsonNode exp = TestModels.expected(model);
        JsonNode sample = model.equals("cnn_image")
                ? exp.get("image")
                : TestModels.JSON.readTree(TestModels.unitImage(exp.get("image_uint8")));
        int h = sample.size();
        int w = sample.get(0).size();
        double[][][] px = new double[h][w][3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    px[y][x][c] = sample.get(y).get(x).get(c).asDouble();
                }
            }
        }
        List<JsonNode> out = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            ArrayNode rows = TestModels.JSON.createArrayNode();
            for (int y = 0; y < h; y++) {
                ArrayNode row = rows.addArray();
                for (int x = 0; x < w; x++) {
                    ArrayNode p = row.addArray();
                    for (int c = 0; c < 3; c++) {
                        p.add(transform(t, px, y, x, c, h, w));
                    }
                }
            }
            out.add(rows);
        }
        return out;
    }

    static double transform(int t, double[][][] px, int y, int x, int c, int h, int w) {
        return switch (t) {
            case 0 -> px[y][x][c]; // the sample
            case 1 -> px[y][w - 1 - x][c]; // mirrored
            case 2 -> px[h - 1 - y][x][c]; // upside down
            case 3 -> 0.5 * px[y][x][c]; // darker
            case 4 -> 0.2 + 0.8 * px[y][x][c]; // lighter
            case 5 -> px[(y + h / 4) % h][(x + w / 3) % w][c]; // rolled
            case 6 -> px[y][x][2 - c]; // channels swapped
            default -> px[y][x][c] * px[y][x][c]; // gamma 2
        };
    }
}
