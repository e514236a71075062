package dev.explainable.serving.runtime.visualization;

/** The colours of attribution strength (metadata {@code visualization.color_map}). */
public enum ColorMap {
    PINK_GREEN,
    RED_GREEN,
    VIRIDIS;

    /** The metadata's name for it. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
