package dev.explainable.serving.runtime.explain;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A closed-form function as the model a method sees: {@code f} and its gradient over the explained inputs'
 * values concatenated in input order. Counts calls and points, and takes at most {@code maxPoints} per call; says
 * it runs {@code concurrentCalls} calls at once (it runs them one after another) and records how they came.
 */
final class AnalyticModel implements ScoreFunction {

    private final Function<double[], Double> f;
    private final Function<double[], double[]> gradient;
    private final int[] sizes;
    private final int maxPoints;
    int calls;
    long points;
    int concurrentCalls = 1;
    /** The points of every call, in order. */
    final List<Integer> callPoints = new ArrayList<>();
    /** How many calls each {@link #atEach} handed in together. */
    final List<Integer> handedTogether = new ArrayList<>();

    AnalyticModel(Function<double[], Double> f, Function<double[], double[]> gradient, int maxPoints, int... sizes) {
        this.f = f;
        this.gradient = gradient;
        this.sizes = sizes;
        this.maxPoints = maxPoints;
    }

    /** f(x) = w . x + c */
    static AnalyticModel linear(double[] w, double c, int maxPoints, int... sizes) {
        return new AnalyticModel(
                x -> {
                    double s = c;
                    for (int i = 0; i < x.length; i++) {
                        s += w[i] * x[i];
                    }
                    return s;
                },
                x -> w.clone(),
                maxPoints,
                sizes);
    }

    /** f(x) = x0 * x1 */
    static AnalyticModel product(int maxPoints) {
        return new AnalyticModel(x -> x[0] * x[1], x -> new double[] {x[1], x[0]}, maxPoints, 2);
    }

    /** f(x) = exp(w . x): its gradient is not linear along a path, so the integration error shows. */
    static AnalyticModel exponential(double[] w, int maxPoints) {
        Function<double[], Double> f = x -> {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
                s += w[i] * x[i];
            }
            return Math.exp(s);
        };
        return new AnalyticModel(
                f,
                x -> {
                    double e = f.apply(x);
                    double[] g = new double[x.length];
                    for (int i = 0; i < x.length; i++) {
                        g[i] = w[i] * e;
                    }
                    return g;
                },
                maxPoints,
                w.length);
    }

    /** f(x) = max(x0, x1): no useful gradient, the case Sampled Shapley is for. */
    static AnalyticModel max(int maxPoints) {
        return new AnalyticModel(
                x -> Math.max(x[0], x[1]),
                x -> {
                    throw new UnsupportedOperationException("max has no gradient here");
                },
                maxPoints,
                2);
    }

    double value(double... x) {
        return f.apply(x);
    }

    @Override
    public Scores at(List<float[]> inputs, int n, boolean withGradients) {
        if (n > maxPoints) {
            throw new AssertionError(n + " points in one call, more than " + maxPoints);
        }
        calls++;
        points += n;
        callPoints.add(n);
        int total = 0;
        for (int s : sizes) {
            total += s;
        }
        float[] values = new float[n];
        List<float[]> grads = new ArrayList<>();
        for (int s : sizes) {
            grads.add(new float[n * s]);
        }
        for (int p = 0; p < n; p++) {
            double[] x = new double[total];
            int o = 0;
            for (int i = 0; i < sizes.length; i++) {
                for (int e = 0; e < sizes[i]; e++) {
                    x[o++] = inputs.get(i)[p * sizes[i] + e];
                }
            }
            values[p] = (float) (double) f.apply(x);
            if (withGradients) {
                double[] g = gradient.apply(x);
                o = 0;
                for (int i = 0; i < sizes.length; i++) {
                    for (int e = 0; e < sizes[i]; e++) {
                        grads.get(i)[p * sizes[i] + e] = (float) g[o++];
                    }
                }
            }
        }
        return new Scores(values, withGradients ? grads.toArray(float[][]::new) : new float[0][]);
    }

    @Override
    public int maxPointsPerCall() {
        return maxPoints;
    }

    @Override
    public List<Scores> atEach(List<List<float[]>> inputs, int[] n, boolean withGradients) {
        handedTogether.add(inputs.size());
        return ScoreFunction.super.atEach(inputs, n, withGradients);
    }

    @Override
    public int concurrentCalls() {
        return concurrentCalls;
    }

    static InputValues input(String name, float... values) {
        return new InputValues(name, new long[] {values.length}, values, null);
    }
}
