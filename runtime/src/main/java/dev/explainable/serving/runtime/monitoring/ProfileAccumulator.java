package dev.explainable.serving.runtime.monitoring;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.explainable.serving.runtime.result.Explanation;
import dev.explainable.serving.runtime.result.InputExplanation;
import dev.explainable.serving.runtime.result.LabelAttribution;
import dev.explainable.serving.runtime.result.NamedFeatures;
import dev.explainable.serving.runtime.result.RenderedImage;
import dev.explainable.serving.runtime.result.TensorAttribution;

/**
 * Sums explanations into an {@link AttributionProfile}: per label, per feature, the absolute attributions and how
 * many explanations were added. The features of an explanation: a named feature's attribution (the metadata names
 * it); each element of a small unnamed input ({@code <input>[i]}, at most {@value #MAX_ELEMENTS_EACH} elements; a
 * single element is {@code <input>}); a larger input (an image, a token sequence) as one feature, the sum of its
 * elements' absolute attributions. Memory is bounded by the model, not the traffic: at most {@value #MAX_LABELS}
 * labels of at most {@value #MAX_FEATURES} features each; further ones, and values that are not finite, are counted
 * as dropped, not kept. It reads
 * attributions already computed; it runs no model. Not thread-safe.
 */
public final class ProfileAccumulator {

    static final int MAX_ELEMENTS_EACH = 64;
    static final int MAX_FEATURES = 256;
    static final int MAX_LABELS = 64;

    private final Map<String, Sums> labels = new LinkedHashMap<>();
    private long explanations;
    private long dropped;

    private static final class Sums {
        long count;
        final Map<String, Double> abs = new LinkedHashMap<>();
    }

    public void add(Explanation e) {
        explanations++;
        for (LabelAttribution l : e.labels()) {
            String key = labelKey(l);
            Sums sums = labels.get(key);
            if (sums == null) {
                if (labels.size() >= MAX_LABELS) {
                    dropped++;
                    continue;
                }
                sums = new Sums();
                labels.put(key, sums);
            }
            sums.count++;
            for (Map.Entry<String, InputExplanation> input : l.attributions().entrySet()) {
                add(sums, input.getKey(), input.getValue());
            }
        }
    }

    private void add(Sums sums, String input, InputExplanation x) {
        if (x instanceof NamedFeatures n) {
            n.features().forEach((f, v) -> feature(sums, f, Math.abs(v)));
        } else if (x instanceof RenderedImage r) {
            feature(sums, input, sumAbs(r.tensor().values()));
        } else if (x instanceof TensorAttribution t) {
            double[] v = t.values();
            if (v.length == 1) {
                feature(sums, input, Math.abs(v[0]));
            } else if (v.length <= MAX_ELEMENTS_EACH) {
                for (int i = 0; i < v.length; i++) {
                    feature(sums, input + "[" + i + "]", Math.abs(v[i]));
                }
            } else {
                feature(sums, input, sumAbs(v));
            }
        }
    }

    private void feature(Sums sums, String feature, double abs) {
        if (!Double.isFinite(abs)) {
            dropped++; // one NaN would make the label's whole profile NaN, in a window or a baseline for good
            return;
        }
        Double before = sums.abs.get(feature);
        if (before == null && sums.abs.size() >= MAX_FEATURES) {
            dropped++;
            return;
        }
        sums.abs.put(feature, (before == null ? 0.0 : before) + abs);
    }

    private static double sumAbs(double[] v) {
        double s = 0;
        for (double x : v) {
            s += Math.abs(x);
        }
        return s;
    }

    /** A label's name in a profile: its display name, else the output and the label's index. */
    static String labelKey(LabelAttribution l) {
        if (l.labelName() != null) {
            return l.labelName();
        }
        return l.labelIndex() < 0 ? l.outputName() : l.outputName() + "[" + l.labelIndex() + "]";
    }

    /** The explanations added (each label's count is of the explanations that explained it). */
    public long explanations() {
        return explanations;
    }

    /** Features and labels not kept (past the bounds). */
    public long dropped() {
        return dropped;
    }

    /** The profile of what was added (a feature absent from an explanation counts as 0 there). */
    public AttributionProfile profile() {
        Map<String, AttributionProfile.Label> out = new LinkedHashMap<>();
        labels.forEach((label, sums) -> {
            Map<String, Double> means = new LinkedHashMap<>();
            sums.abs.forEach((f, s) -> means.put(f, s / sums.count));
            out.put(label, new AttributionProfile.Label(sums.count, means));
        });
        return new AttributionProfile(out);
    }
}
