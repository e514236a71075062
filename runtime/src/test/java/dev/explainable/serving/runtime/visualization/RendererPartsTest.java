package dev.explainable.serving.runtime.visualization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.result.ImageFormat;

/** The renderer's pieces against hand-computed values. */
class RendererPartsTest {

    @Test
    void percentileInterpolatesLinearlyAsNumpy() {
        double[] v = {0, 0, 1, 2, 10};
        assertEquals(0.0, PixelMaps.percentile(v, 0));
        assertEquals(10.0, PixelMaps.percentile(v, 100));
        assertEquals(1.0, PixelMaps.percentile(v, 50));
        assertEquals(1.5, PixelMaps.percentile(v, 62.5), 1e-12); // numpy.percentile([0,0,1,2,10], 62.5) == 1.5
        assertEquals(6.8, PixelMaps.percentile(v, 90), 1e-12);
    }

    @Test
    void normalizedClipsEachPolarity() {
        double[] a = {-4, -2, 0, 1, 2, 3};
        assertArrayEquals(new double[] {0, 0, 0, 1 / 3.0, 2 / 3.0, 1}, PixelMaps.normalized(a, false, 0, 100), 1e-12);
        assertArrayEquals(new double[] {1, 0.5, 0, 0, 0, 0}, PixelMaps.normalized(a, true, 0, 100), 1e-12);
    }

    @Test
    void outlinesKeepTheStrongestRegionsAndDrawTheirBorder() {
        int h = 7;
        int w = 12;
        double[] s = new double[h * w];
        for (int y = 1; y <= 5; y++) {
            for (int x = 1; x <= 5; x++) {
                s[y * w + x] = 1; // a 5x5 strong square
            }
        }
        s[3 * w + 3] = 0; // a hole, filled
        s[3 * w + 10] = 0.01; // a weak speck: under 10% of the total, dropped
        double[] out = Outlines.intensity(s, h, w, true);
        assertEquals(1.0, out[1 * w + 1], "corner of the square is border");
        assertEquals(1.0, out[3 * w + 5], "right edge is border");
        assertEquals(Outlines.INTERIOR, out[3 * w + 3], "the filled hole is interior");
        assertEquals(0.0, out[3 * w + 10], "weak component dropped");
        assertEquals(0.0, out[0], "background");
        assertEquals(0.0, Outlines.intensity(s, h, w, false)[3 * w + 3], "no shading");
    }

    @Test
    void colorMaps() {
        assertEquals(ColorMaps.rgb(0, 255, 0), ColorMaps.color(ColorMap.PINK_GREEN, 1, false));
        assertEquals(ColorMaps.rgb(255, 0, 255), ColorMaps.color(ColorMap.PINK_GREEN, 1, true));
        assertEquals(ColorMaps.rgb(255, 0, 0), ColorMaps.color(ColorMap.RED_GREEN, 1, true));
        assertEquals(ColorMaps.rgb(68, 1, 84), ColorMaps.color(ColorMap.VIRIDIS, 0, false));
        assertEquals(ColorMaps.rgb(253, 231, 37), ColorMaps.color(ColorMap.VIRIDIS, 1, false));
    }

    @Test
    void imageScaleDetectsTheRange() {
        assertEquals(ColorMaps.rgb(255, 128, 0), ImageScale.toRgb(new float[] {1f, 0.5f, 0f}, 1, null, false)[0]);
        assertEquals(ColorMaps.rgb(255, 128, 0), ImageScale.toRgb(new float[] {1f, 0.003f, -1f}, 1, null, false)[0]);
        assertEquals(ColorMaps.rgb(200, 100, 0), ImageScale.toRgb(new float[] {200, 100, 0}, 1, null, false)[0]);
        assertEquals(ColorMaps.rgb(100, 100, 100), ImageScale.toRgb(new float[] {200, 100, 0}, 1, null, true)[0]);
        assertEquals(
                ColorMaps.rgb(128, 128, 128),
                ImageScale.toRgb(new float[] {0, 0, 0}, 1, new double[] {-1, 1}, false)[0]);
    }

    @Test
    void configDefaultsPerMethodAndValidation() {
        VisualizationConfig ig = VisualizationConfig.resolve("image", null, AttributionMethod.INTEGRATED_GRADIENTS);
        assertEquals(VisualizationType.OUTLINES, ig.type());
        assertEquals(ColorMap.PINK_GREEN, ig.colorMap());
        assertEquals(OverlayType.ORIGINAL, ig.overlayType());
        assertEquals(99.9, ig.clipAbovePercentile());
        VisualizationConfig xrai = VisualizationConfig.resolve("image", null, AttributionMethod.XRAI);
        assertEquals(VisualizationType.PIXELS, xrai.type());
        assertEquals(ColorMap.VIRIDIS, xrai.colorMap());
        assertEquals(OverlayType.GRAYSCALE, xrai.overlayType());
        assertEquals(0.0, xrai.clipBelowPercentile());
        assertEquals(100.0, xrai.clipAbovePercentile());

        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("type", "Outlines");
        raw.put("polarity", "BOTH");
        raw.put("output_format", "png");
        VisualizationConfig c =
                VisualizationConfig.resolve("image", raw, AttributionMethod.XRAI); // accepted, with a warning logged
        assertEquals(VisualizationType.OUTLINES, c.type());
        assertEquals(Polarity.BOTH, c.polarity());
        assertEquals(ImageFormat.PNG, c.outputFormat());

        Map<String, Object> bad =
                Map.of("clip_below_percentile", 99, "clip_above_percentile", 10, "color_map", "jet", "colour", 1);
        String msg = assertThrows(
                        MetadataException.class,
                        () -> VisualizationConfig.resolve("image", bad, AttributionMethod.INTEGRATED_GRADIENTS))
                .getMessage();
        assertTrue(
                msg.contains("must be below clip_above_percentile")
                        && msg.contains("'color_map' must be one of")
                        && msg.contains("unknown visualization key 'colour'"),
                msg);
        assertThrows(
                MetadataException.class,
                () -> VisualizationConfig.resolve(
                        "image", Map.of("clip_above_percentile", 101), AttributionMethod.XRAI));
    }
}
