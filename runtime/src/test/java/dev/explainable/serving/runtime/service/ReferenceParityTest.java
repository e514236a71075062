package dev.explainable.serving.runtime.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.explain.IntegrationRule;
import dev.explainable.serving.runtime.result.LabelAttribution;

/**
 * Parity with PAIR's saliency library (fixtures from tools/make-reference-fixtures.py): IG within
 * {@link IntegratedGradientsModelTest#tolerance} of the map's largest value with the same steps, baseline and
 * integration rule; XRAI's top-10% regions overlap with IoU >= 0.9.
 */
class ReferenceParityTest {

    static JsonNode reference(String model) throws Exception {
        return TestModels.JSON.readTree(Files.readString(Path.of("src/test/resources/reference", model + ".json")));
    }

    static String instance(String model) {
        JsonNode exp = TestModels.expected(model);
        return exp.has("image")
                ? exp.get("image").toString()
                : IntegratedGradientsModelTest.unitImage(exp.get("image_uint8"));
    }

    static LabelAttribution explain(String model, AttributionMethod method) throws Exception {
        return TestModels.explain(TestModels.load(model, method, 50, IntegrationRule.UNIFORM), instance(model));
    }

    static double[] doubles(JsonNode n) {
        double[] d = new double[n.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = n.get(i).asDouble();
        }
        return d;
    }

    @ParameterizedTest
    @ValueSource(strings = {"cnn_image", "mobilenet_v2", "recurrent_image_rows"})
    void integratedGradientsMatchesSaliency(String model) throws Exception {
        JsonNode ref = reference(model);
        LabelAttribution a = explain(model, AttributionMethod.INTEGRATED_GRADIENTS);
        assertEquals(ref.get("label_index").asInt(), a.labelIndex());
        IntegratedGradientsModelTest.assertClose(
                doubles(ref.get("integrated_gradients")),
                IntegratedGradientsModelTest.flat(a.attributions().get("image")),
                IntegratedGradientsModelTest.tolerance(model));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cnn_image", "mobilenet_v2", "recurrent_image_rows"})
    void xraiTopRegionsMatchSaliency(String model) throws Exception {
        JsonNode ref = reference(model);
        LabelAttribution a = explain(model, AttributionMethod.XRAI);
        double[] ours = TestModels.flat(a.attributions().get("image"));
        double[] theirs = doubles(ref.get("xrai"));
        double iou = iou(top(ours, 0.10), top(theirs, 0.10));
        System.out.printf("XRAI top-10%% IoU with saliency on %s: %.3f%n", model, iou);
        assertTrue(iou >= 0.9, "top-10% IoU " + iou);
    }

    /** The pixels at or above the (1 - fraction) quantile. */
    static boolean[] top(double[] map, double fraction) {
        double[] sorted = map.clone();
        Arrays.sort(sorted);
        double cut = sorted[(int) Math.floor((1 - fraction) * (sorted.length - 1))];
        boolean[] m = new boolean[map.length];
        for (int i = 0; i < map.length; i++) {
            m[i] = map[i] >= cut;
        }
        return m;
    }

    static double iou(boolean[] a, boolean[] b) {
        int inter = 0;
        int union = 0;
        for (int i = 0; i < a.length; i++) {
            inter += a[i] && b[i] ? 1 : 0;
            union += a[i] || b[i] ? 1 : 0;
        }
        return union == 0 ? 1 : (double) inter / union;
    }
}
