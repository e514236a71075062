package dev.explainable.serving.runtime.tensor;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import dev.explainable.serving.runtime.work.LimitExceededException;

/**
 * JPEG/PNG bytes to a float image in [0, 1], as AI Platform's image inputs expect. The size is read from the
 * image's header and checked before any pixel is decoded: a few hundred compressed bytes can claim a 30000 x 30000
 * image (a decompression bomb).
 */
public final class ImageDecoder {

    static {
        ImageIO.setUseCache(false); // decode in memory; no temporary files from request bytes
    }

    private ImageDecoder() {}

    /**
     * Decodes to shape [height, width, channels] (channels 3 for RGB or 1 for grayscale), bilinearly resized
     * to {@code height x width} when those are fixed (>= 0). Refuses images of more than {@code maxPixels} pixels.
     */
    public static HostTensor decode(byte[] bytes, long height, long width, int channels, long maxPixels, String where) {
        BufferedImage img = read(bytes, maxPixels, where);
        int srcW = img.getWidth();
        int srcH = img.getHeight();
        int h = height >= 0 ? (int) height : srcH;
        int w = width >= 0 ? (int) width : srcW;
        if ((long) h * w > maxPixels) {
            throw tooLarge(where, w, h, maxPixels);
        }
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
        return channels == 1
                ? HostTensor.floats(new long[] {h, w, 1}, gray)
                : HostTensor.floats(new long[] {h, w}, gray);
    }

    /**
     * For bytes a model decodes itself: when they are an image, refuses one of more than {@code maxPixels} pixels
     * by its header. Bytes that are no image pass (they may be any string).
     */
    public static void checkPixels(byte[] bytes, long maxPixels, String where) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                return;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w * h > maxPixels) {
                    throw tooLarge(where, w, h, maxPixels);
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof LimitExceededException l) {
                throw l;
            }
            // a header that cannot be read is the graph's to refuse
        }
    }

    private static BufferedImage read(byte[] bytes, long maxPixels, String where) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new IllegalArgumentException("the bytes are not a JPEG or PNG image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w < 1 || h < 1) {
                    throw new IllegalArgumentException("the image has no pixels");
                }
                if (w * h > maxPixels) {
                    throw tooLarge(where, w, h, maxPixels);
                }
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof LimitExceededException || e instanceof IllegalArgumentException) {
                throw (RuntimeException) e;
            }
            // truncated or corrupt data: the decoders throw IIOException, but also runtime exceptions of their own
            throw new IllegalArgumentException("the image data is corrupt or truncated");
        }
    }

    private static LimitExceededException tooLarge(String where, long w, long h, long maxPixels) {
        return new LimitExceededException(where + ": the image is " + w + " x " + h + " = " + (w * h)
                + " pixels, more than the limit of " + maxPixels + " (explain.limits.max-image-pixels)");
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
