package dev.explainable.serving.runtime.explain;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Vertex AI's {@code smoothGradConfig}: average the gradients over {@code noisySampleCount} noisy copies of every
 * path point (see {@link SmoothGrad}). The noise on an input is Gaussian with standard deviation
 * {@code noiseSigma} in the input's own units (Vertex applies it as given, on inputs it expects normalized), or
 * per input with {@code featureNoiseSigma} (inputs it does not name get no noise, as in Vertex). Vertex's ranges
 * are checked here: a count of 1..50, {@code noiseSigma > 0}, a per-input sigma {@code >= 0}; and, as every value
 * fed to the model is float32, each sigma at most {@link #MAX_NOISE_SIGMA}, so that no noise sample overflows it.
 *
 * @param noisySampleCount  noisy copies per path (Vertex's default 3)
 * @param noiseSigma        the noise's standard deviation on every input (Vertex's default 0.1)
 * @param featureNoiseSigma per input name (the metadata's input key), its noise's standard deviation; when not
 *                          empty it replaces {@code noiseSigma}
 */
public record SmoothGradConfig(int noisySampleCount, double noiseSigma, Map<String, Double> featureNoiseSigma) {

    public static final int DEFAULT_NOISY_SAMPLE_COUNT = 3;
    public static final double DEFAULT_NOISE_SIGMA = 0.1;
    public static final int MAX_NOISY_SAMPLE_COUNT = 50;
    /**
     * The largest standard normal {@link SmoothGrad}'s generator can draw: {@code java.util.Random}'s polar method
     * returns {@code v sqrt(-2 ln s / s)} with {@code v^2 <= s} and {@code s >= 2^-104} (53-bit uniforms), so
     * {@code |z| <= sqrt(208 ln 2) = 12.01}.
     */
    static final double MAX_STANDARD_NORMAL = 12.01;
    /** The largest noise sigma whose samples, {@code sigma * z}, stay finite in float32 (about 2.8e37). */
    public static final double MAX_NOISE_SIGMA = Float.MAX_VALUE / MAX_STANDARD_NORMAL;

    public SmoothGradConfig {
        if (noisySampleCount < 1 || noisySampleCount > MAX_NOISY_SAMPLE_COUNT) {
            throw new IllegalArgumentException("smoothGradConfig.noisySampleCount must be 1.." + MAX_NOISY_SAMPLE_COUNT
                    + ", got " + noisySampleCount);
        }
        if (!(noiseSigma > 0 && noiseSigma <= MAX_NOISE_SIGMA)) {
            throw new IllegalArgumentException("smoothGradConfig.noiseSigma must be > 0 and at most "
                    + (float) MAX_NOISE_SIGMA + " (larger noise overflows float32), got " + noiseSigma);
        }
        featureNoiseSigma = Map.copyOf(featureNoiseSigma == null ? Map.of() : featureNoiseSigma);
        for (Map.Entry<String, Double> e : new java.util.TreeMap<>(featureNoiseSigma).entrySet()) {
            Double s = e.getValue();
            if (s == null || !(s >= 0 && s <= MAX_NOISE_SIGMA)) {
                throw new IllegalArgumentException("smoothGradConfig.featureNoiseSigma: the sigma of " + e.getKey()
                        + " must be >= 0 and at most " + (float) MAX_NOISE_SIGMA
                        + " (larger noise overflows float32), got " + s);
            }
        }
    }

    /** {@code noisySampleCount} copies with Vertex's default noise (0.1 on every input). */
    public static SmoothGradConfig of(int noisySampleCount) {
        return new SmoothGradConfig(noisySampleCount, DEFAULT_NOISE_SIGMA, Map.of());
    }

    /**
     * From a Vertex request's fields, each null when absent: the count defaults to 3, the sigma to 0.1; setting
     * both {@code noiseSigma} and {@code featureNoiseSigma} is refused (they are one of a kind in Vertex's proto).
     *
     * @param featureNoiseSigma Vertex's {@code featureNoiseSigma.noiseSigma} list as name to sigma, or null
     */
    public static SmoothGradConfig fromVertex(
            Integer noisySampleCount, Double noiseSigma, Map<String, Double> featureNoiseSigma) {
        if (noiseSigma != null && featureNoiseSigma != null) {
            throw new IllegalArgumentException("smoothGradConfig takes noiseSigma or featureNoiseSigma, not both");
        }
        if (featureNoiseSigma != null && featureNoiseSigma.isEmpty()) {
            throw new IllegalArgumentException("smoothGradConfig.featureNoiseSigma names no input");
        }
        return new SmoothGradConfig(
                noisySampleCount == null ? DEFAULT_NOISY_SAMPLE_COUNT : noisySampleCount,
                noiseSigma == null ? DEFAULT_NOISE_SIGMA : noiseSigma,
                featureNoiseSigma);
    }

    /** Parses {@code name=sigma} entries (the setting explain.smooth-grad.feature-noise-sigma). */
    public static Map<String, Double> parseFeatureNoiseSigma(List<String> entries) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.lastIndexOf('=');
            String name = eq < 0 ? "" : entry.substring(0, eq).trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException(
                        "a feature noise sigma is name=sigma (e.g. image=0.2), got '" + entry + "'");
            }
            try {
                out.put(name, Double.parseDouble(entry.substring(eq + 1).trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the noise sigma of " + name + " is not a number: '" + entry + "'");
            }
        }
        return out;
    }

    /** The noise's standard deviation on input {@code name}. */
    public double sigmaFor(String name) {
        if (featureNoiseSigma.isEmpty()) {
            return noiseSigma;
        }
        return featureNoiseSigma.getOrDefault(name, 0.0);
    }

    /** Refuses a per-input sigma naming none of {@code inputs}: a typo would otherwise silently add no noise. */
    public void checkInputs(Collection<String> inputs) {
        TreeSet<String> unknown = new TreeSet<>(featureNoiseSigma.keySet());
        unknown.removeAll(inputs);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("smoothGradConfig.featureNoiseSigma names " + unknown
                    + ", not explained inputs of this model " + new TreeSet<>(inputs));
        }
    }
}
