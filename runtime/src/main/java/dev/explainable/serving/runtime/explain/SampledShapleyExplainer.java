package dev.explainable.serving.runtime.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import dev.explainable.serving.runtime.work.LimitExceededException;

/**
 * Sampled Shapley over input features: every feature of an explained input ({@link InputValues#featureWidth()}
 * values, usually one) is a player, except that inputs sharing a group ({@link InputValues#group()}) act as one
 * player; a player's credit is spread evenly over its values. {@code paths} permutations per baseline set; all path points are evaluated in batches.
 */
public final class SampledShapleyExplainer implements Explainer {

    /** More players make the method impractical (paths * (players + 1) evaluations); IG or XRAI fit images. */
    public static final int MAX_PLAYERS = 2000;

    private final int paths;
    private final long seed;

    public SampledShapleyExplainer(int paths, long seed) {
        if (paths < 1) {
            throw new IllegalArgumentException("paths must be >= 1, got " + paths);
        }
        this.paths = paths;
        this.seed = seed;
    }

    /** A player: the (input, element) cells it switches. */
    record Player(int[] inputs, int[] elements) {}

    static List<Player> players(List<InputValues> inputs) {
        List<Player> players = new ArrayList<>();
        Map<String, List<int[]>> groups = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            int size = inputs.get(i).size();
            String group = inputs.get(i).group();
            if (group != null) {
                List<int[]> cells = groups.computeIfAbsent(group, g -> new ArrayList<>());
                for (int e = 0; e < size; e++) {
                    cells.add(new int[] {i, e});
                }
            } else {
                int width = inputs.get(i).featureWidth();
                for (int f = 0; f < size / width; f++) {
                    int[] in = new int[width];
                    int[] elements = new int[width];
                    for (int k = 0; k < width; k++) {
                        in[k] = i;
                        elements[k] = f * width + k;
                    }
                    players.add(new Player(in, elements));
                }
            }
        }
        for (List<int[]> cells : groups.values()) {
            players.add(new Player(
                    cells.stream().mapToInt(c -> c[0]).toArray(),
                    cells.stream().mapToInt(c -> c[1]).toArray()));
        }
        return players;
    }

    private static void checkPlayers(long players) {
        if (players > MAX_PLAYERS) {
            throw new LimitExceededException("sampled-shapley: the inputs have " + players + " features, at most "
                    + MAX_PLAYERS + " are supported; group inputs with group_name or use integrated-gradients or xrai");
        }
    }

    @Override
    public long evaluations(ExplainedInstance instance) {
        long players = players(instance.inputs()).size();
        checkPlayers(players);
        return instance.baselineSets().size() * paths * (players + 1);
    }

    @Override
    public Attribution explain(ExplainedInstance instance, ScoreFunction model) {
        List<InputValues> inputs = instance.inputs();
        List<Player> players = players(inputs);
        checkPlayers(players.size());
        List<List<float[]>> baselineSets = instance.baselineSets();
        int nPlayers = players.size();
        int perPath = nPlayers + 1;
        // The same permutations for every output and baseline set: reproducible answers for the same request.
        SplittableRandom random = new SplittableRandom(seed);
        int[][] orders = new int[paths][];
        for (int p = 0; p < paths; p++) {
            orders[p] = SampledShapley.permutation(nPlayers, random);
        }
        int sets = baselineSets.size();
        int total = sets * paths * perPath;
        float[] scores = new float[total];
        int batch = Math.max(1, model.maxPointsPerCall());
        for (int start = 0; start < total; start += batch) {
            int n = Math.min(batch, total - start);
            List<float[]> points = new ArrayList<>();
            for (InputValues in : inputs) {
                points.add(new float[n * in.size()]);
            }
            for (int q = 0; q < n; q++) {
                int point = start + q;
                int k = point / (paths * perPath);
                int p = (point / perPath) % paths;
                int j = point % perPath;
                for (int i = 0; i < inputs.size(); i++) {
                    float[] b = baselineSets.get(k).get(i);
                    System.arraycopy(b, 0, points.get(i), q * b.length, b.length);
                }
                for (int s = 0; s < j; s++) {
                    Player player = players.get(orders[p][s]);
                    for (int c = 0; c < player.inputs().length; c++) {
                        int i = player.inputs()[c];
                        int e = player.elements()[c];
                        float[] x = inputs.get(i).values();
                        points.get(i)[q * x.length + e] = x[e];
                    }
                }
            }
            float[] s = model.at(points, n, false).values();
            System.arraycopy(s, 0, scores, start, n);
        }

        double[] sum = new double[nPlayers];
        double[] sumSq = new double[nPlayers];
        double base = 0;
        double example = 0;
        for (int k = 0; k < sets; k++) {
            for (int p = 0; p < paths; p++) {
                int off = (k * paths + p) * perPath;
                double[] c = SampledShapley.credits(orders[p], Arrays.copyOfRange(scores, off, off + perPath));
                for (int i = 0; i < nPlayers; i++) {
                    sum[i] += c[i] / sets;
                    sumSq[i] += c[i] * c[i] / sets;
                }
            }
            base += scores[k * paths * perPath] / (double) sets;
            example += scores[k * paths * perPath + nPlayers] / (double) sets;
        }

        List<double[]> perInput = new ArrayList<>();
        for (InputValues in : inputs) {
            perInput.add(new double[in.size()]);
        }
        for (int i = 0; i < nPlayers; i++) {
            Player player = players.get(i);
            double value = sum[i] / paths / player.inputs().length;
            for (int c = 0; c < player.inputs().length; c++) {
                perInput.get(player.inputs()[c])[player.elements()[c]] += value;
            }
        }
        List<InputAttribution> attributions = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            attributions.add(
                    new InputAttribution(inputs.get(i).name(), inputs.get(i).shape(), perInput.get(i)));
        }
        return new Attribution(
                attributions, base, example, SampledShapley.approxError(sum, sumSq, paths, example - base));
    }
}
