package dev.explainable.serving.runtime.explain;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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

    public static Attribution attribute(
            List<InputValues> inputs, List<List<float[]>> baselineSets, GradientPath path, ScoreFunction model) {
        List<PathIntegral> paths = path.paths(inputs, baselineSets);
        double[][] ends = integrate(inputs, paths, model);
        int nIn = inputs.size();
        List<InputAttribution> attributions = new ArrayList<>(nIn);
        List<List<double[]>> each = new ArrayList<>(paths.size());
        for (PathIntegral p : paths) {
            each.add(p.attributions());
        }
        double sum = 0;
        for (int i = 0; i < nIn; i++) {
            InputValues x = inputs.get(i);
            double[] mean = new double[x.size()];
            for (List<double[]> a : each) {
                double[] ai = a.get(i);
                for (int e = 0; e < mean.length; e++) {
                    mean[e] += ai[e] / paths.size();
                }
            }
            for (double v : mean) {
                sum += v;
            }
            attributions.add(new InputAttribution(x.name(), x.shape(), mean));
        }
        double start = mean(ends[0]);
        double end = mean(ends[1]);
        double approx = IntegratedGradients.approxError(sum, end, start);
        Optional<GradientPath> clean = path.unperturbed();
        if (clean.isPresent()) {
            double[][] cleanEnds = endScores(inputs, clean.get().paths(inputs, baselineSets), model);
            start = mean(cleanEnds[0]);
            end = mean(cleanEnds[1]);
        }
        return new Attribution(attributions, start, end, approx);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return v.length == 0 ? 0 : s / v.length;
    }

    /** Evaluates every point with gradients and hands them to the paths; returns the start and end scores. */
    private static double[][] integrate(List<InputValues> inputs, List<PathIntegral> paths, ScoreFunction model) {
        int total = 0;
        for (PathIntegral p : paths) {
            total += p.points();
        }
        int[] owner = new int[total];
        int[] local = new int[total];
        int at = 0;
        for (int k = 0; k < paths.size(); k++) {
            for (int j = 0; j < paths.get(k).points(); j++) {
                owner[at] = k;
                local[at++] = j;
            }
        }
        double[] start = new double[paths.size()];
        double[] end = new double[paths.size()];
        int perRun = Math.max(1, model.maxPointsPerCall());
        for (int from = 0; from < total; from += perRun) {
            int n = Math.min(perRun, total - from);
            List<float[]> batch = batch(inputs, n);
            for (int s = 0; s < n; s++) {
                paths.get(owner[from + s]).point(local[from + s], batch, s);
            }
            ScoreFunction.Scores eval = model.at(batch, n, true);
            for (int s = 0; s < n; s++) {
                int k = owner[from + s];
                int j = local[from + s];
                PathIntegral p = paths.get(k);
                p.accept(j, eval.gradients(), s);
                if (j == p.startIndex()) {
                    start[k] = eval.values()[s];
                }
                if (j == p.endIndex()) {
                    end[k] = eval.values()[s];
                }
            }
        }
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
        double[][] scores = new double[2][paths.size()];
        int perRun = Math.max(1, model.maxPointsPerCall());
        for (int from = 0; from < points.size(); from += perRun) {
            int n = Math.min(perRun, points.size() - from);
            List<float[]> batch = batch(inputs, n);
            for (int s = 0; s < n; s++) {
                int[] p = points.get(from + s);
                paths.get(p[0]).point(p[1], batch, s);
            }
            float[] values = model.at(batch, n, false).values();
            for (int s = 0; s < n; s++) {
                int[] p = points.get(from + s);
                scores[p[2]][p[0]] = values[s];
            }
        }
        return scores;
    }

    private static List<float[]> batch(List<InputValues> inputs, int n) {
        List<float[]> batch = new ArrayList<>(inputs.size());
        for (InputValues in : inputs) {
            batch.add(new float[n * in.size()]);
        }
        return batch;
    }
}
