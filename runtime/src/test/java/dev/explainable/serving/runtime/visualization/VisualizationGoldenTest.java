package dev.explainable.serving.runtime.visualization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.runtime.result.ImageFormat;

/**
 * Every option combination rendered from a fixed image and attribution map, compared pixel for pixel with the
 * committed PNG goldens. Regenerate after a deliberate change with
 * {@code ./mvnw -pl runtime test -Dtest=VisualizationGoldenTest -Dgoldens.update=true} and look at them.
 */
class VisualizationGoldenTest {

    static final Path GOLDENS = Path.of("src/test/resources/goldens/visualization");
    static final int H = 48;
    static final int W = 64;

    /** A gradient picture with a bright rectangle, values in [0, 1]. */
    static float[] image() {
        float[] img = new float[H * W * 3];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int o = (y * W + x) * 3;
                boolean box = y >= 12 && y < 30 && x >= 20 && x < 44;
                img[o] = box ? 0.95f : x / (float) (W - 1);
                img[o + 1] = box ? 0.8f : y / (float) (H - 1);
                img[o + 2] = box ? 0.1f : 0.5f;
            }
        }
        return img;
    }

    /** Two positive blobs, one negative, and small deterministic noise, per channel. */
    static double[] attributions() {
        double[] a = new double[H * W * 3];
        long seed = 42;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                double v = 1.0 * Math.exp(-((x - 30) * (x - 30) + (y - 20) * (y - 20)) / 40.0)
                        + 0.6 * Math.exp(-((x - 50) * (x - 50) + (y - 38) * (y - 38)) / 20.0)
                        - 0.8 * Math.exp(-((x - 12) * (x - 12) + (y - 36) * (y - 36)) / 30.0);
                for (int c = 0; c < 3; c++) {
                    seed = seed * 6364136223846793005L + 1442695040888963407L;
                    double noise = ((seed >>> 11) / (double) (1L << 53) - 0.5) * 0.02;
                    a[(y * W + x) * 3 + c] = v / 3 + noise;
                }
            }
        }
        return a;
    }

    static List<VisualizationConfig> combinations() {
        List<VisualizationConfig> all = new ArrayList<>();
        for (VisualizationType type : VisualizationType.values()) {
            for (Polarity polarity : Polarity.values()) {
                for (ColorMap map : ColorMap.values()) {
                    for (OverlayType overlay : OverlayType.values()) {
                        all.add(new VisualizationConfig(
                                type, polarity, 62, 99.9, map, overlay, 0.4, ImageFormat.PNG, 0, true));
                    }
                }
            }
        }
        // XRAI's defaults, in PNG
        all.add(VisualizationConfig.resolve("image", Map.of("output_format", "png"), AttributionMethod.XRAI));
        all.add(new VisualizationConfig(
                VisualizationType.PIXELS,
                Polarity.POSITIVE,
                70,
                99.9,
                ColorMap.PINK_GREEN,
                OverlayType.ORIGINAL,
                0.4,
                ImageFormat.PNG,
                2.0,
                true));
        all.add(new VisualizationConfig(
                VisualizationType.OUTLINES,
                Polarity.POSITIVE,
                70,
                99.9,
                ColorMap.PINK_GREEN,
                OverlayType.GRAYSCALE,
                0.7,
                ImageFormat.PNG,
                0,
                false));
        return all;
    }

    static String name(VisualizationConfig c) {
        return String.join(
                        "-",
                        c.type().wireName(),
                        c.polarity().wireName(),
                        c.colorMap().wireName(),
                        c.overlayType().wireName(),
                        "clip" + fmt(c.clipBelowPercentile()) + "_" + fmt(c.clipAbovePercentile()),
                        "m" + fmt(c.overlayMultiplier()),
                        "blur" + fmt(c.blurSigma()),
                        c.shadeWithinOutlines() ? "shade" : "noshade")
                + ".png";
    }

    static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    @Test
    void everyCombinationMatchesItsGolden() throws Exception {
        boolean update = Boolean.getBoolean("goldens.update");
        float[] image = image();
        double[] attributions = attributions();
        List<String> mismatches = new ArrayList<>();
        for (VisualizationConfig c : combinations()) {
            int[] rgb = AttributionRenderer.render(image, H, W, attributions, c, null);
            Path golden = GOLDENS.resolve(name(c));
            if (update) {
                Files.createDirectories(GOLDENS);
                Files.write(golden, AttributionRenderer.encode(rgb, H, W, ImageFormat.PNG));
                continue;
            }
            assertTrue(Files.exists(golden), "missing golden " + golden);
            BufferedImage want = ImageIO.read(golden.toFile());
            int[] expected = want.getRGB(0, 0, W, H, null, 0, W);
            int differing = 0;
            for (int i = 0; i < rgb.length; i++) {
                if ((expected[i] & 0xffffff) != rgb[i]) {
                    differing++;
                }
            }
            if (differing > 0) {
                mismatches.add(name(c) + ": " + differing + " pixels differ");
            }
        }
        assertEquals(List.of(), mismatches);
    }

    @Test
    void pngAndJpegEncodingsDecodeToTheRenderedSize() throws Exception {
        int[] rgb = AttributionRenderer.render(
                image(),
                H,
                W,
                attributions(),
                VisualizationConfig.defaults(dev.explainable.serving.contract.AttributionMethod.XRAI),
                null);
        for (ImageFormat format : ImageFormat.values()) {
            BufferedImage back = ImageIO.read(new ByteArrayInputStream(AttributionRenderer.encode(rgb, H, W, format)));
            assertEquals(W, back.getWidth());
            assertEquals(H, back.getHeight());
        }
    }
}
