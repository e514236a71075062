package dev.explainable.serving.runtime.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A straight path's integral refined where its error is ({@link StepPlacement#LOCAL_ERROR}): adaptive quadrature
 * with each interval's error known exactly, not estimated. Along the path the integrand is the gradient times
 * {@code x - b}, and by the fundamental theorem its integral over an interval is the score change across it, which
 * every gradient run gives with the gradients. So the trapezoid rule's error on interval {@code i} is
 * {@code e_i = h_i (s_i + s_i+1) / 2 - (f_i+1 - f_i)} ({@code s}: the integrand's sum over the values, {@code f}:
 * the score), and the path's completeness gap is their sum. The first round is the trapezoid rule at the start
 * steps from just inside the path ({@link StraightPath#NEAR_START}); then, while the gap is above the target, each
 * round halves the fewest intervals that hold half of all paths' {@code |e_i|}, among those that may be halved (on
 * a path below the cap, wider than {@link #MIN_WIDTH}), until none may.
 *
 * <p>Why: where a saturated softmax turns over and back many times along the path (the integrand swinging by ±100
 * between points a 1,600th of the path apart), doubling everywhere spends most points where the integrand is
 * smooth, and a forward-only probe cannot see a rise and fall between two of its points; the intervals' own errors
 * can. The answer is the trapezoid rule on the points it reached: refining an interval changes the weights of its
 * two end points, so every point's gradients are kept until the end, which bounds the paths and values this
 * applies to ({@link #fits}). The rounds are as many as that takes, each at least one point; the work bound counts
 * the cap's points and the deadline bounds the time.
 */
final class LocalErrorBisection {

    /**
     * The narrowest interval halved: the values fed to the model at closer points differ by a few float32 units in
     * the last place, rounding rather than a step along the path.
     */
    static final double MIN_WIDTH = 0x1p-20;

    private LocalErrorBisection() {}

    /**
     * Whether {@code paths} paths through {@code inputs} at {@code maxSteps} steps keep at most {@code maxKept}
     * gradient values ({@link AdaptiveSteps#maxKeptValues()}: 32 Mi, 128 MiB, by default, which holds a 96×96 RGB
     * image up to the largest cap of 1,000 steps, XRAI's two paths on it up to 605, a 224×224 image up to 221).
     */
    static boolean fits(List<InputValues> inputs, int paths, int maxSteps, long maxKept) {
        long values = 0;
        for (InputValues in : inputs) {
            values += in.size();
        }
        return (long) paths * (maxSteps + 1L) * values <= maxKept;
    }

    static Attribution attribute(
            List<InputValues> inputs, List<List<float[]>> baselineSets, PathOptions options, ScoreFunction model) {
        AdaptiveSteps adaptive = options.adaptiveSteps().orElseThrow();
        int start = options.steps();
        int cap = Math.max(start, adaptive.maxSteps());
        List<float[]> x = inputs.stream().map(InputValues::values).toList();
        List<Mesh> meshes = new ArrayList<>(baselineSets.size());
        List<Pending> pending = new ArrayList<>();
        for (List<float[]> baseline : baselineSets) {
            Mesh mesh = new Mesh(x, baseline);
            meshes.add(mesh);
            pending.add(new Pending(mesh, StraightPath.NEAR_START));
            for (int j = 1; j <= start; j++) {
                pending.add(new Pending(mesh, (double) j / start));
            }
        }
        double gap;
        while (true) {
            evaluate(inputs, pending, model);
            gap = gap(meshes);
            if (adaptive.reached(gap) || (pending = worstHalf(meshes, cap)).isEmpty()) {
                break;
            }
        }
        return answer(inputs, meshes, gap);
    }

    /** A point to evaluate: where along which path. */
    private record Pending(Mesh mesh, double alpha) {}

    /** A point evaluated: its score, the integrand there ({@code grad · (x - b)}) and its gradients, per input. */
    private record Point(double alpha, double score, double integrand, float[][] gradients) {}

    /** One path's points, in order along it. */
    private static final class Mesh {
        final List<float[]> x;
        final List<float[]> baseline;
        final List<Point> points = new ArrayList<>();

        Mesh(List<float[]> x, List<float[]> baseline) {
            this.x = x;
            this.baseline = baseline;
        }

        void add(Point p) {
            int at = 0;
            int hi = points.size();
            while (at < hi) { // binary search: the first point further along
                int mid = (at + hi) >>> 1;
                if (points.get(mid).alpha() < p.alpha()) {
                    at = mid + 1;
                } else {
                    hi = mid;
                }
            }
            points.add(at, p);
        }

        int intervals() {
            return points.size() - 1;
        }

        double width(int i) {
            return points.get(i + 1).alpha() - points.get(i).alpha();
        }

        /** The trapezoid rule's integral over interval {@code i}. */
        double trapezoid(int i) {
            return width(i) * (points.get(i).integrand() + points.get(i + 1).integrand()) / 2;
        }

        /** The trapezoid rule's error on interval {@code i}: its integral less the score change across it. */
        double error(int i) {
            return trapezoid(i) - (points.get(i + 1).score() - points.get(i).score());
        }

        double startScore() {
            return points.get(0).score();
        }

        double endScore() {
            return points.get(intervals()).score();
        }

        /** The trapezoid weight of point {@code j}: half of each interval beside it. */
        double weight(int j) {
            return ((j > 0 ? width(j - 1) : 0) + (j < intervals() ? width(j) : 0)) / 2;
        }
    }

    /** Every pending point with gradients, in shared runs; each goes into its path's mesh. */
    private static void evaluate(List<InputValues> inputs, List<Pending> pending, ScoreFunction model) {
        PathAttributions.evaluate(
                inputs,
                pending.size(),
                true,
                model,
                (p, batch, slot) -> {
                    Pending at = pending.get(p);
                    for (int i = 0; i < inputs.size(); i++) {
                        float[] xs = at.mesh().x.get(i);
                        IntegratedGradients.interpolate(
                                at.mesh().baseline.get(i), xs, at.alpha(), batch.get(i), slot * xs.length);
                    }
                },
                (p, scores, slot) -> {
                    Pending at = pending.get(p);
                    float[][] kept = new float[inputs.size()][];
                    double integrand = 0;
                    for (int i = 0; i < inputs.size(); i++) {
                        float[] xs = at.mesh().x.get(i);
                        float[] b = at.mesh().baseline.get(i);
                        int off = slot * xs.length;
                        kept[i] = Arrays.copyOfRange(scores.gradients()[i], off, off + xs.length);
                        for (int e = 0; e < xs.length; e++) {
                            integrand += (double) kept[i][e] * ((double) xs[e] - b[e]);
                        }
                    }
                    at.mesh().add(new Point(at.alpha(), scores.values()[slot], integrand, kept));
                });
    }

    /** The completeness gap of the paths' mean: the mean of their intervals' errors against the mean score change. */
    private static double gap(List<Mesh> meshes) {
        double integral = 0;
        double start = 0;
        double end = 0;
        for (Mesh m : meshes) {
            for (int i = 0; i < m.intervals(); i++) {
                integral += m.trapezoid(i);
            }
            start += m.startScore();
            end += m.endScore();
        }
        int count = meshes.size();
        return IntegratedGradients.approxError(integral / count, end / count, start / count);
    }

    /**
     * The midpoints of the fewest intervals, largest {@code |e_i|} first over all paths, that hold half of the
     * error of those that may still be halved (wider than {@link #MIN_WIDTH}, on a path below the cap).
     */
    private static List<Pending> worstHalf(List<Mesh> meshes, int cap) {
        record Interval(Mesh mesh, int index, double error) {}
        List<Interval> candidates = new ArrayList<>();
        double total = 0;
        for (Mesh m : meshes) {
            if (m.intervals() >= cap) {
                continue;
            }
            for (int i = 0; i < m.intervals(); i++) {
                double e = Math.abs(m.error(i));
                if (m.width(i) > MIN_WIDTH && e > 0) {
                    candidates.add(new Interval(m, i, e));
                    total += e;
                }
            }
        }
        candidates.sort(Comparator.comparingDouble(Interval::error).reversed());
        Map<Mesh, Integer> added = new IdentityHashMap<>();
        List<Pending> out = new ArrayList<>();
        double held = 0;
        for (Interval c : candidates) {
            if (held >= total / 2) {
                break;
            }
            int more = added.getOrDefault(c.mesh(), 0);
            if (c.mesh().intervals() + more >= cap) {
                continue;
            }
            added.put(c.mesh(), more + 1);
            Point a = c.mesh().points.get(c.index());
            Point b = c.mesh().points.get(c.index() + 1);
            out.add(new Pending(c.mesh(), (a.alpha() + b.alpha()) / 2));
            held += c.error();
        }
        return out;
    }

    /**
     * The trapezoid rule on each path's points, averaged over the paths, with the gap the refinement stopped at (the
     * attributions' own, to rounding: reported as the one the target was held against).
     */
    private static Attribution answer(List<InputValues> inputs, List<Mesh> meshes, double gap) {
        int count = meshes.size();
        double[][] mean = new double[inputs.size()][];
        for (int i = 0; i < inputs.size(); i++) {
            mean[i] = new double[inputs.get(i).size()];
        }
        double start = 0;
        double end = 0;
        int steps = 0;
        for (Mesh m : meshes) {
            for (int i = 0; i < inputs.size(); i++) {
                double[] weighted = new double[mean[i].length];
                for (int j = 0; j < m.points.size(); j++) {
                    double w = m.weight(j);
                    float[] g = m.points.get(j).gradients()[i];
                    for (int e = 0; e < weighted.length; e++) {
                        weighted[e] += w * g[e];
                    }
                }
                double[] a = IntegratedGradients.attributions(m.x.get(i), m.baseline.get(i), weighted);
                for (int e = 0; e < a.length; e++) {
                    mean[i][e] += a[e] / count;
                }
            }
            start += m.startScore() / count;
            end += m.endScore() / count;
            steps = Math.max(steps, m.intervals());
        }
        List<InputAttribution> out = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            InputValues in = inputs.get(i);
            out.add(new InputAttribution(in.name(), in.shape(), mean[i]));
        }
        return new Attribution(out, start, end, gap, steps);
    }
}
