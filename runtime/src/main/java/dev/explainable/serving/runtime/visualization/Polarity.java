package dev.explainable.serving.runtime.visualization;

/** Which attributions are shown (metadata {@code visualization.polarity}). */
public enum Polarity {
    POSITIVE,
    NEGATIVE,
    BOTH;

    /** The metadata's name for it. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
