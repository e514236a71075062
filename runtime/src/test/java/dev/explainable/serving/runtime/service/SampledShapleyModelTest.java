package dev.explainable.serving.runtime.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.explain.ScoreFunction;
import dev.explainable.serving.runtime.model.ForwardResult;
import dev.explainable.serving.runtime.model.LabelTarget;
import dev.explainable.serving.runtime.model.LabelTargets;
import dev.explainable.serving.runtime.model.ModelRunner;
import dev.explainable.serving.runtime.model.OutputInfo;
import dev.explainable.serving.runtime.result.LabelAttribution;
import dev.explainable.serving.runtime.tensor.InstanceDecoder;

/**
 * Sampled Shapley on real SavedModels: exact on additive models, converging to brute-force Shapley values (all
 * 2^n coalitions evaluated by TensorFlow) on a non-additive one.
 */
class SampledShapleyModelTest {

    static LabelAttribution explain(LoadedModel loaded, String json) throws Exception {
        return TestModels.explain(loaded, json);
    }

    static double[] flat(Object o) {
        return IntegratedGradientsModelTest.flat(o);
    }

    @Test
    void additiveModelsAreExactWithAnyNumberOfPaths() throws Exception {
        JsonNode exp = TestModels.expected("linear_regressor");
        LoadedModel loaded = TestModels.loadShapley("linear_regressor", 3);
        LabelAttribution a = explain(loaded, exp.get("instances").get(0).toString());
        double[] attr = flat(a.attributions().get("data"));
        for (int f = 0; f < 4; f++) {
            double closed = exp.get("weights").get(f).asDouble()
                    * (exp.get("instances").get(0).get(f).asDouble()
                            - exp.get("baseline").get(f).asDouble());
            assertEquals(closed, attr[f], 1e-4);
        }
        assertEquals(0.0, a.approxError(), 1e-5, "every permutation credits a player the same");

        LoadedModel two = TestModels.loadShapley("two_inputs", 4);
        LabelAttribution b = explain(two, "{\"a\": [1.0, -2.0, 4.0], \"b\": [0.5, 3.0]}");
        assertEquals(1.5 * 1.0, flat(b.attributions().get("a"))[0], 1e-4);
        assertEquals(-2.0 * (-2.0 - 1.0), flat(b.attributions().get("a"))[1], 1e-4);
        assertEquals(-0.5 * 3.0, flat(b.attributions().get("b"))[1], 1e-4);
    }

    /** Exact Shapley values by enumerating all 2^n coalitions of the tabular classifier's features. */
    static double[] bruteForce(LoadedModel loaded, String json) throws Exception {
        ModelRunner runner = new ModelRunner(loaded.model());
        ForwardResult instance = runner.forward(
                        List.of(new InstanceDecoder(loaded.signature().signatureInputs(), Map.of())
                                .decode(TestModels.JSON.readTree(json), 0)))
                .get(0);
        OutputInfo out = loaded.signature().explainedOutputs().get(0);
        LabelTarget target = LabelTargets.top(instance, out);
        float[] x = instance.explainedValues().get("features").floats();
        int n = x.length;
        int coalitions = 1 << n;
        float[] points = new float[coalitions * n];
        for (int s = 0; s < coalitions; s++) {
            for (int i = 0; i < n; i++) {
                points[s * n + i] = (s & (1 << i)) != 0 ? x[i] : 0f; // baseline 0
            }
        }
        ScoreFunction model = runner.scoreFunction(instance, out, target, coalitions);
        float[] f = model.at(List.of(points), coalitions, false).values();
        double[] phi = new double[n];
        double[] fact = new double[n + 1];
        fact[0] = 1;
        for (int i = 1; i <= n; i++) {
            fact[i] = fact[i - 1] * i;
        }
        for (int i = 0; i < n; i++) {
            for (int s = 0; s < coalitions; s++) {
                if ((s & (1 << i)) == 0) {
                    int size = Integer.bitCount(s);
                    double w = fact[size] * fact[n - size - 1] / fact[n];
                    phi[i] += w * (f[s | (1 << i)] - f[s]);
                }
            }
        }
        return phi;
    }

    @Test
    void convergesToExactShapleyValuesOnANonAdditiveModel() throws Exception {
        String x = TestModels.expected("tabular_classifier")
                .get("instances")
                .get(0)
                .toString();
        LoadedModel few = TestModels.loadShapley("tabular_classifier", 10);
        LoadedModel many = TestModels.loadShapley("tabular_classifier", 2000);
        double[] exact = bruteForce(many, x);

        LabelAttribution a = explain(many, x);
        double[] sampled = flat(a.attributions().get("features"));
        double delta = a.exampleScore() - a.baselineScore();
        assertEquals(delta, Arrays.stream(sampled).sum(), 1e-5, "credits telescope: completeness is exact");
        double error = distance(sampled, exact);
        double stderr = a.approxError() * Math.abs(delta);
        assertTrue(error <= 4 * stderr + 1e-6, "L2 error " + error + " vs reported standard error " + stderr);
        assertTrue(error < 0.01 * Arrays.stream(exact).map(Math::abs).sum(), "within 1% of the total attribution");

        LabelAttribution b = explain(few, x);
        double fewError = distance(flat(b.attributions().get("features")), exact);
        assertTrue(fewError > error, "more paths, smaller error: " + fewError + " -> " + error);
        assertTrue(b.approxError() > a.approxError(), "the reported error shrinks with more paths too");
    }

    static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }
}
