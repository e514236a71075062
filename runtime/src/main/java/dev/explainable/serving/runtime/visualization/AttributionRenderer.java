package dev.explainable.serving.runtime.visualization;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import dev.explainable.serving.runtime.result.ImageFormat;

/**
 * Renders an image attribution map the way AI Platform's visualizer does (see {@link VisualizationConfig} and
 * docs/methods.md, Image visualizations): per-pixel sum over channels, optional blur, percentile clipping per
 * polarity, outlines or pixels, a color map, then an overlay on the input image.
 */
public final class AttributionRenderer {

    private AttributionRenderer() {}

    /**
     * @param image        the input as the model saw it, [h, w, channels] row-major (channels 1 or 3, or none)
     * @param attributions attributions with the image's shape
     * @param domain       the input's value range (metadata {@code domain}), or null to detect it
     * @return packed RGB pixels, row-major
     */
    public static int[] render(
            float[] image, int h, int w, double[] attributions, VisualizationConfig c, double[] domain) {
        int pixels = h * w;
        double[] a = PixelMaps.blur(PixelMaps.sumChannels(attributions, pixels), h, w, c.blurSigma());
        double[] pos = c.polarity() == Polarity.NEGATIVE
                ? new double[pixels]
                : PixelMaps.normalized(a, false, c.clipBelowPercentile(), c.clipAbovePercentile());
        double[] neg = c.polarity() == Polarity.POSITIVE
                ? new double[pixels]
                : PixelMaps.normalized(a, true, c.clipBelowPercentile(), c.clipAbovePercentile());
        double[] strength = new double[pixels];
        boolean[] negative = new boolean[pixels];
        for (int i = 0; i < pixels; i++) {
            negative[i] = neg[i] > pos[i];
            strength[i] = Math.max(pos[i], neg[i]);
        }
        double[] shown = c.type() == VisualizationType.OUTLINES
                ? Outlines.intensity(strength, h, w, c.shadeWithinOutlines())
                : strength;
        int[] base = ImageScale.toRgb(image, pixels, domain, c.overlayType() == OverlayType.GRAYSCALE);
        double m = c.overlayMultiplier();
        int[] out = new int[pixels];
        for (int i = 0; i < pixels; i++) {
            int color = ColorMaps.color(c.colorMap(), shown[i], negative[i]);
            out[i] = switch (c.overlayType()) {
                case NONE -> color;
                case MASK_BLACK -> scale(base[i], strength[i]);
                case GRAYSCALE, ORIGINAL -> blend(base[i], color, m);
            };
        }
        return out;
    }

    static int blend(int image, int color, double m) {
        int r = (int) Math.round(((image >> 16) & 0xff) * m + ((color >> 16) & 0xff) * (1 - m));
        int g = (int) Math.round(((image >> 8) & 0xff) * m + ((color >> 8) & 0xff) * (1 - m));
        int b = (int) Math.round((image & 0xff) * m + (color & 0xff) * (1 - m));
        return ColorMaps.rgb(r, g, b);
    }

    static int scale(int rgb, double f) {
        return ColorMaps.rgb(
                (int) Math.round(((rgb >> 16) & 0xff) * f), (int) Math.round(((rgb >> 8) & 0xff) * f), (int)
                        Math.round((rgb & 0xff) * f));
    }

    /**
     * PNG (lossless, for goldens) or JPEG (quality 0.9), written through memory: ImageIO.write caches its stream in a
     * temporary file by default, a file created and deleted per answer (2-4x the encoding's time on a 32x32 map).
     */
    public static byte[] encode(int[] rgb, int h, int w, ImageFormat format) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, w, h, rgb, 0, w);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format == ImageFormat.PNG ? "png" : "jpeg");
        ImageWriter writer = writers.next();
        ImageWriteParam p = null;
        if (format == ImageFormat.JPEG) {
            p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(0.9f);
        }
        try (MemoryCacheImageOutputStream s = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(s);
            writer.write(null, new IIOImage(img, null, null), p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
