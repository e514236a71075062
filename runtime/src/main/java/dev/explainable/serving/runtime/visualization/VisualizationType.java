package dev.explainable.serving.runtime.visualization;

/** How attributions are drawn (metadata {@code visualization.type}): outlines of the strongest regions, or every pixel. */
public enum VisualizationType {
    OUTLINES,
    PIXELS;

    /** The metadata's name for it. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
