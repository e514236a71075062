package dev.explainable.serving.runtime.explain;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Integrates the paths of a {@link GradientPath}: the points of all its paths run in shared batches of at most
 * {@link ScoreFunction#maxPointsPerCall()} points (one forward + backward run each); the attributions are the
 * mean over the paths. {@code approx_error} is the completeness gap of that mean against the mean score change
 * along the paths; the reported baseline and instance scores are the paths' end scores, or, for perturbed paths,
 * those of the unperturbed ones (evaluated forward only).
 */
public final class PathAttributions {

    private PathAttributions() {}

    /** Points evaluated to attribute {@code inputs} along {@code path} from {@code baselineSets} sets. */
    public static long evaluations(List<InputValues> inputs, int baselineSets, GradientPath path) {
        long points = (long) path.pathCount(inputs, baselineSets) * path.pointsPerPath();
        Optional<GradientPath> clean = path.unperturbed();
        if (clean.isPresent()) {
            points += 2L * clean.get().pathCount(inputs, baselineSets);
        }
        return points;
    }

    /**
     * Multiply-adds spent on the host to attribute along {@code path} (Blur IG's blurs; none for straight lines):
     * its paths made {@code rounds} times (each round of a refinement makes them anew) with every point written,
     * and, for perturbed paths, the unperturbed ones made once more with their ends written.
     */
    public static long hostMultiplyAdds(List<InputValues> inputs, int baselineSets, GradientPath path, int rounds) {
        long total = rounds * path.setupMultiplyAdds(inputs)
                + path.pathCount(inputs, baselineSets) * path.pathMultiplyAdds(inputs, false);
        Optional<GradientPath> clean = path.unperturbed();
        if (clean.isPresent()) {
            GradientPath c = clean.get();
            total += c.setupMultiplyAdds(inputs) + c.pathCount(inputs, baselineSets) * c.pathMultiplyAdds(inputs, true);
        }
        return total;
    }

    public static Attribution attribute(
            List<InputValues> inputs, List<List<float[]>> baselineSets, GradientPath path, ScoreFunction model) {
        return answer(inputs, baselineSets, path, model, mean(inputs, baselineSets, path, model), null);
    }

    /**
     * The mean over the paths of their attributions, per input, and of their start and end scores (a path without
     * such a point scores 0 there). Every quantity is linear in the gradients, which is what lets
     * {@link StepDoubling} combine the means of two rules.
     */
    record PathMean(double[][] attributions, double start, double end) {

        double sum() {
            double sum = 0;
            for (double[] a : attributions) {
                for (double v : a) {
                    sum += v;
                }
            }
            return sum;
        }

        /** The completeness gap against the paths' own ends. */
        double approxError() {
            return IntegratedGradients.approxError(sum(), end, start);
        }
    }

    static PathMean mean(
            List<InputValues> inputs, List<List<float[]>> baselineSets, GradientPath path, ScoreFunction model) {
        PathIntegral[] paths = path.paths(inputs, baselineSets).toArray(PathIntegral[]::new);
        int count = paths.length;
        int nIn = inputs.size();
        double[][] mean = new double[nIn][];
        for (int i = 0; i < nIn; i++) {
            mean[i] = new double[inputs.get(i).size()];
        }
        double[][] ends = integrate(inputs, paths, model, done -> {
            List<double[]> a = done.attributions();
            for (int i = 0; i < nIn; i++) {
                double[] ai = a.get(i);
                double[] m = mean[i];
                for (int e = 0; e < m.length; e++) {
                    m[e] += ai[e] / count;
                }
            }
        });
        return new PathMean(mean, mean(ends[0]), mean(ends[1]));
    }

    /**
     * The answer from the paths' mean: {@code approx_error} against the paths' own ends, the reported scores those
     * ends or, for perturbed paths, the unperturbed ones' (evaluated here, forward only).
     *
     * @param steps the steps a refinement reached, or null for the configured ones
     */
    static Attribution answer(
            List<InputValues> inputs,
            List<List<float[]>> baselineSets,
            GradientPath path,
            ScoreFunction model,
            PathMean m,
            Integer steps) {
        List<InputAttribution> attributions = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            InputValues x = inputs.get(i);
            attributions.add(new InputAttribution(x.name(), x.shape(), m.attributions()[i]));
        }
        double start = m.start();
        double end = m.end();
        Optional<GradientPath> clean = path.unperturbed();
        if (clean.isPresent()) {
            double[][] cleanEnds = endScores(inputs, clean.get().paths(inputs, baselineSets), model);
            start = mean(cleanEnds[0]);
            end = mean(cleanEnds[1]);
        }
        return new Attribution(attributions, start, end, m.approxError(), steps);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return v.length == 0 ? 0 : s / v.length;
    }

    /**
     * Evaluates every point with gradients, in path order, and hands them to the paths; each path goes to
     * {@code done} (and is dropped) once its last point is in, so that only the paths of the current batch hold
     * sums. Returns the start and end scores.
     */
    private static double[][] integrate(
            List<InputValues> inputs, PathIntegral[] paths, ScoreFunction model, Consumer<PathIntegral> done) {
        int total = 0;
        int[] last = new int[paths.length]; // the global index of each path's last point
        for (int k = 0; k < paths.length; k++) {
            total += paths[k].points();
            last[k] = total - 1;
        }
        int[] owner = new int[total];
        int[] local = new int[total];
        int at = 0;
        for (int k = 0; k < paths.length; k++) {
            for (int j = 0; j < paths[k].points(); j++) {
                owner[at] = k;
                local[at++] = j;
            }
        }
        double[] start = new double[paths.length];
        double[] end = new double[paths.length];
        evaluate(
                inputs,
                total,
                true,
                model,
                (p, batch, slot) -> paths[owner[p]].point(local[p], batch, slot),
                (p, scores, slot) -> {
                    int k = owner[p];
                    int j = local[p];
                    PathIntegral path = paths[k];
                    path.accept(j, scores.gradients(), slot);
                    if (j == path.startIndex()) {
                        start[k] = scores.values()[slot];
                    }
                    if (j == path.endIndex()) {
                        end[k] = scores.values()[slot];
                    }
                    if (p == last[k]) { // a path's points are consecutive: this one is complete
                        done.accept(path);
                        paths[k] = null;
                    }
                });
        return new double[][] {start, end};
    }

    /** The scores at each path's two ends, forward only (a path without a start point scores 0 there). */
    private static double[][] endScores(List<InputValues> inputs, List<PathIntegral> paths, ScoreFunction model) {
        List<int[]> points = new ArrayList<>(); // {path, index, 0 for start / 1 for end}
        for (int k = 0; k < paths.size(); k++) {
            if (paths.get(k).startIndex() >= 0) {
                points.add(new int[] {k, paths.get(k).startIndex(), 0});
            }
            points.add(new int[] {k, paths.get(k).endIndex(), 1});
        }
        float[] values = forwardScores(inputs, paths, points, model);
        double[][] scores = new double[2][paths.size()];
        for (int i = 0; i < points.size(); i++) {
            scores[points.get(i)[2]][points.get(i)[0]] = values[i];
        }
        return scores;
    }

    /** Every point's score along each path, forward only: {@code [path][point]}. */
    static double[][] scoresAlong(
            List<InputValues> inputs, List<List<float[]>> baselineSets, GradientPath path, ScoreFunction model) {
        List<PathIntegral> paths = path.paths(inputs, baselineSets);
        int perPath = path.pointsPerPath();
        List<int[]> points = new ArrayList<>(paths.size() * perPath); // {path, index}
        for (int k = 0; k < paths.size(); k++) {
            for (int j = 0; j < perPath; j++) {
                points.add(new int[] {k, j});
            }
        }
        float[] values = forwardScores(inputs, paths, points, model);
        double[][] scores = new double[paths.size()][perPath];
        for (int i = 0; i < points.size(); i++) {
            scores[points.get(i)[0]][points.get(i)[1]] = values[i];
        }
        return scores;
    }

    /** The scores of {@code points} ({path, index} first) in runs of at most the model's points, forward only. */
    private static float[] forwardScores(
            List<InputValues> inputs, List<PathIntegral> paths, List<int[]> points, ScoreFunction model) {
        float[] out = new float[points.size()];
        evaluate(
                inputs,
                points.size(),
                false,
                model,
                (p, batch, slot) -> paths.get(points.get(p)[0]).point(points.get(p)[1], batch, slot),
                (p, scores, slot) -> out[p] = scores.values()[slot]);
        return out;
    }

    /** Writes point {@code p} of a list into slot {@code slot} of a run's batch (per input). */
    @FunctionalInterface
    interface PointWriter {
        void write(int p, List<float[]> batch, int slot);
    }

    /** Takes point {@code p}'s scores (and gradients), at slot {@code slot} of its run. */
    @FunctionalInterface
    interface PointReader {
        void read(int p, ScoreFunction.Scores scores, int slot);
    }

    /**
     * Evaluates {@code count} points of a list, in order, in runs of at most the model's points: as few runs as
     * that allows, of equal size (one point apart), handed to the model {@link ScoreFunction#concurrentCalls()} at
     * a time. Why equal: two runs at once of 26 and 25 MobileNetV2 points take 110-118 ms on 2 cores where one of
     * 51 takes 138-164 and one of 37 then one of 14 as long (TensorFlow 2.18, tools/bench; a single run leaves the
     * cores partly idle), and a run of few rows is the slowest per row. Only those runs' points are held at once.
     */
    static void evaluate(
            List<InputValues> inputs,
            int count,
            boolean withGradients,
            ScoreFunction model,
            PointWriter write,
            PointReader read) {
        int perRun = Math.max(1, model.maxPointsPerCall());
        int runs = (count + perRun - 1) / perRun;
        int atOnce = Math.max(1, model.concurrentCalls());
        int from = 0;
        for (int r = 0; r < runs; r += atOnce) {
            int calls = Math.min(atOnce, runs - r);
            List<List<float[]>> batches = new ArrayList<>(calls);
            int[] n = new int[calls];
            int[] first = new int[calls];
            for (int c = 0; c < calls; c++) {
                n[c] = count / runs + (r + c < count % runs ? 1 : 0);
                first[c] = from;
                List<float[]> batch = batch(inputs, n[c]);
                for (int s = 0; s < n[c]; s++) {
                    write.write(from + s, batch, s);
                }
                batches.add(batch);
                from += n[c];
            }
            List<ScoreFunction.Scores> scores = calls == 1
                    ? List.of(model.at(batches.get(0), n[0], withGradients))
                    : model.atEach(batches, n, withGradients);
            for (int c = 0; c < calls; c++) {
                for (int s = 0; s < n[c]; s++) {
                    read.read(first[c] + s, scores.get(c), s);
                }
            }
        }
    }

    private static List<float[]> batch(List<InputValues> inputs, int n) {
        List<float[]> batch = new ArrayList<>(inputs.size());
        for (InputValues in : inputs) {
            batch.add(new float[n * in.size()]);
        }
        return batch;
    }
}
