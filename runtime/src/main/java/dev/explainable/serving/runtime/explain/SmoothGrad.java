package dev.explainable.serving.runtime.explain;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * SmoothGrad (Smilkov et al., 2017) around any {@link GradientPath}: each of the inner paths is integrated
 * {@code noisySampleCount} times, copy k with the same Gaussian noise {@code n_k} added to every one of its
 * points, and the attributions are averaged over the copies. The gradients along a path are so averaged over
 * noisy samples around each point ("the gradients are approximated by averaging the gradients from noisy samples
 * in the vicinity of the inputs", Vertex AI's wording), while the path's own direction stays the noiseless one: a
 * straight copy runs from {@code b + n_k} to {@code x + n_k}, which is PAIR saliency's
 * {@code IntegratedGradients.GetMask(x + n_k, x_baseline=b + n_k)}. For a linear model every copy equals the
 * noiseless attribution exactly; copy k sums to {@code F(x + n_k) - F(b + n_k)}, so {@code approx_error} still
 * measures the integration. The explanation reports the noiseless baseline and instance scores (one forward
 * evaluation of each path's two ends).
 *
 * <p>The noise comes from a fixed seed: the same request gets the same answer. Draw order: copy, input, value.
 */
public final class SmoothGrad implements GradientPath {

    /** The seed of the noise: fixed, so that explanations repeat. */
    public static final long SEED = 0L;

    private final GradientPath inner;
    private final SmoothGradConfig config;
    private final Supplier<DoubleSupplier> standardNormals;

    /** With noise from {@link #SEED}. */
    public SmoothGrad(GradientPath inner, SmoothGradConfig config) {
        this(inner, config, () -> {
            Random random = new Random(SEED);
            return random::nextGaussian;
        });
    }

    /**
     * @param standardNormals a fresh stream of standard normal numbers for each explanation (tests pass recorded
     *                        ones); this class scales them by each input's sigma
     */
    public SmoothGrad(GradientPath inner, SmoothGradConfig config, Supplier<DoubleSupplier> standardNormals) {
        this.inner = inner;
        this.config = config;
        this.standardNormals = standardNormals;
    }

    public SmoothGradConfig config() {
        return config;
    }

    /**
     * Copy k of each inner path, in copy order. The noise of copy k is drawn when the first of its points is
     * written, and only the latest copy's is kept: points must be written in path order, as
     * {@link PathAttributions} does.
     */
    @Override
    public List<PathIntegral> paths(List<InputValues> inputs, List<List<float[]>> baselineSets) {
        Draws draws = new Draws(standardNormals.get(), inputs, config);
        List<PathIntegral> prototypes = inner.paths(inputs, baselineSets);
        List<PathIntegral> out = new ArrayList<>(config.noisySampleCount() * prototypes.size());
        for (int k = 0; k < config.noisySampleCount(); k++) {
            for (PathIntegral p : prototypes) {
                out.add(new Noisy(k == 0 ? p : p.fresh(), draws, k));
            }
        }
        return out;
    }

    /** The noise of each copy, drawn in order (copy, input, value) from one stream. */
    private static final class Draws {
        private final DoubleSupplier z;
        private final List<InputValues> inputs;
        private final SmoothGradConfig config;
        private int copy = -1;
        private List<float[]> noise;

        Draws(DoubleSupplier z, List<InputValues> inputs, SmoothGradConfig config) {
            this.z = z;
            this.inputs = inputs;
            this.config = config;
        }

        synchronized List<float[]> of(int k) {
            if (k < copy) {
                throw new IllegalStateException("noise of copy " + k + " asked after copy " + copy);
            }
            while (copy < k) {
                noise = new ArrayList<>(inputs.size());
                for (InputValues in : inputs) {
                    double sigma = config.sigmaFor(in.name());
                    float[] n = new float[in.size()];
                    for (int e = 0; e < n.length; e++) {
                        n[e] = (float) (sigma * z.getAsDouble());
                    }
                    noise.add(n);
                }
                copy++;
            }
            return noise;
        }
    }

    @Override
    public int pathCount(List<InputValues> inputs, int baselineSets) {
        return config.noisySampleCount() * inner.pathCount(inputs, baselineSets);
    }

    @Override
    public int pointsPerPath() {
        return inner.pointsPerPath();
    }

    /** The inner paths are made once; their copies share what they made. */
    @Override
    public long setupMultiplyAdds(List<InputValues> inputs) {
        return inner.setupMultiplyAdds(inputs);
    }

    /** Each copy writes its points as the inner path does, plus the noise. */
    @Override
    public long pathMultiplyAdds(List<InputValues> inputs, boolean endsOnly) {
        return inner.pathMultiplyAdds(inputs, endsOnly);
    }

    @Override
    public Optional<GradientPath> unperturbed() {
        return Optional.of(inner.unperturbed().orElse(inner));
    }

    /** A path with copy k's noise (per input) added to each of its points. */
    private static final class Noisy implements PathIntegral {
        private final PathIntegral path;
        private final Draws draws;
        private final int copy;
        private List<float[]> noise;

        Noisy(PathIntegral path, Draws draws, int copy) {
            this.path = path;
            this.draws = draws;
            this.copy = copy;
        }

        @Override
        public int points() {
            return path.points();
        }

        @Override
        public int startIndex() {
            return path.startIndex();
        }

        @Override
        public int endIndex() {
            return path.endIndex();
        }

        @Override
        public void point(int j, List<float[]> batch, int slot) {
            path.point(j, batch, slot);
            if (noise == null) {
                noise = draws.of(copy);
            }
            for (int i = 0; i < noise.size(); i++) {
                float[] n = noise.get(i);
                float[] b = batch.get(i);
                int off = slot * n.length;
                for (int e = 0; e < n.length; e++) {
                    b[off + e] += n[e];
                }
            }
        }

        @Override
        public void accept(int j, float[][] gradients, int slot) {
            path.accept(j, gradients, slot);
        }

        @Override
        public List<double[]> attributions() {
            return path.attributions();
        }

        @Override
        public PathIntegral fresh() {
            return new Noisy(path.fresh(), draws, copy);
        }
    }
}
