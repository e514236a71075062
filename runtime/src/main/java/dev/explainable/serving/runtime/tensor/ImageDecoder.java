package dev.explainable.serving.runtime.tensor;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;

import javax.imageio.ImageIO;

/** JPEG/PNG bytes to a float image in [0, 1], as AI Platform's image inputs expect. */
public final class ImageDecoder {

    private ImageDecoder() {
    }

    /**
     * Decodes to shape [height, width, channels] (channels 3 for RGB or 1 for grayscale), bilinearly resized
     * to {@code height x width} when those are fixed (>= 0).
     */
    public static HostTensor decode(byte[] bytes, long height, long width, int channels) {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            img = null;
        }
        if (img == null) {
            throw new IllegalArgumentException("the bytes are not a JPEG or PNG image");
        }
        int srcW = img.getWidth();
        int srcH = img.getHeight();
        int h = height >= 0 ? (int) height : srcH;
        int w = width >= 0 ? (int) width : srcW;
        float[] src = new float[srcH * srcW * 3];
        for (int y = 0; y < srcH; y++) {
            for (int x = 0; x < srcW; x++) {
                int rgb = img.getRGB(x, y);
                int o = (y * srcW + x) * 3;
                src[o] = ((rgb >> 16) & 0xff) / 255f;
                src[o + 1] = ((rgb >> 8) & 0xff) / 255f;
                src[o + 2] = (rgb & 0xff) / 255f;
            }
        }
        float[] rgb = (h == srcH && w == srcW) ? src : resizeBilinear(src, srcH, srcW, h, w);
        if (channels == 3) {
            return HostTensor.floats(new long[] {h, w, 3}, rgb);
        }
        float[] gray = new float[h * w];
        for (int i = 0; i < gray.length; i++) {
            gray[i] = (rgb[3 * i] + rgb[3 * i + 1] + rgb[3 * i + 2]) / 3f;
        }
        return channels == 1 ? HostTensor.floats(new long[] {h, w, 1}, gray) : HostTensor.floats(new long[] {h, w}, gray);
    }

    /** Half-pixel-centre bilinear resize of an RGB image (TensorFlow's {@code resize(..., "bilinear")}). */
    static float[] resizeBilinear(float[] src, int sh, int sw, int h, int w) {
        float[] out = new float[h * w * 3];
        double sy = (double) sh / h;
        double sx = (double) sw / w;
        for (int y = 0; y < h; y++) {
            double fy = Math.max(0, (y + 0.5) * sy - 0.5);
            int y0 = Math.min((int) fy, sh - 1);
            int y1 = Math.min(y0 + 1, sh - 1);
            double dy = fy - y0;
            for (int x = 0; x < w; x++) {
                double fx = Math.max(0, (x + 0.5) * sx - 0.5);
                int x0 = Math.min((int) fx, sw - 1);
                int x1 = Math.min(x0 + 1, sw - 1);
                double dx = fx - x0;
                for (int c = 0; c < 3; c++) {
                    double top = src[(y0 * sw + x0) * 3 + c] * (1 - dx) + src[(y0 * sw + x1) * 3 + c] * dx;
                    double bottom = src[(y1 * sw + x0) * 3 + c] * (1 - dx) + src[(y1 * sw + x1) * 3 + c] * dx;
                    out[(y * w + x) * 3 + c] = (float) (top * (1 - dy) + bottom * dy);
                }
            }
        }
        return out;
    }
}
