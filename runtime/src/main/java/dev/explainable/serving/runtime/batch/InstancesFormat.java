package dev.explainable.serving.runtime.batch;

import java.util.Locale;

/** How input lines become instances (Vertex's {@code instancesFormat}). */
public enum InstancesFormat {
    /** One JSON instance a line, as written. */
    JSONL("jsonl"),
    /** A header line, then one row a line; each row an array instance (Vertex's default instanceType for csv). */
    CSV("csv"),
    /** One file location a line (gs://, s3://, local); each file's bytes become {@code {"b64": ...}}. */
    FILE_LIST("file-list");

    private final String text;

    InstancesFormat(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    static InstancesFormat parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (InstancesFormat f : values()) {
            if (f.text.equals(v)) {
                return f;
            }
        }
        if (v.startsWith("tf-record") || v.equals("bigquery")) {
            throw new BatchSettings.Invalid("explain.batch.instances-format " + v + " is not supported by this"
                    + " runtime's batch entry (jsonl, csv or file-list); convert the input to jsonl");
        }
        throw new BatchSettings.Invalid(
                "explain.batch.instances-format must be jsonl, csv or file-list, got '" + value + "'");
    }
}
