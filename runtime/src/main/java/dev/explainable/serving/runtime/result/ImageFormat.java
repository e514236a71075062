package dev.explainable.serving.runtime.result;

/** The picture formats a visualization is encoded in, by their metadata names. */
public enum ImageFormat {
    JPEG("jpeg"),
    PNG("png");

    private final String wireName;

    ImageFormat(String wireName) {
        this.wireName = wireName;
    }

    /** The metadata's {@code output_format} value, also the suffix of the answer's {@code b64_*} key. */
    public String wireName() {
        return wireName;
    }
}
