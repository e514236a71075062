package dev.explainable.serving.runtime.result;

/**
 * An image input's attributions rendered as a picture (AI Platform's {@code b64_jpeg} / {@code b64_png}), with
 * the raw map behind it; {@code includeRaw} says whether the answer shows that map too
 * (explain.visualization.include-raw).
 */
public record RenderedImage(ImageFormat format, byte[] encoded, TensorAttribution tensor, boolean includeRaw)
        implements InputExplanation {}
