package dev.explainable.serving.runtime.visualization;

/** What the colours are drawn over (metadata {@code visualization.overlay_type}). */
public enum OverlayType {
    NONE,
    GRAYSCALE,
    ORIGINAL,
    MASK_BLACK;

    /** The metadata's name for it. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
