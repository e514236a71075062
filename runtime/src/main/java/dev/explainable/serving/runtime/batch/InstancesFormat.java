package dev.explainable.serving.runtime.batch;

import java.util.Locale;

/** How input files become instances (Vertex's {@code instancesFormat}). */
public enum InstancesFormat {
    /** One JSON instance a line, as written. */
    JSONL("jsonl", true),
    /** A header line, then one row a line; each row an array instance (Vertex's default instanceType for csv). */
    CSV("csv", true),
    /** One file location a line (gs://, s3://, local); each file's bytes become {@code {"b64": ...}}. */
    FILE_LIST("file-list", true),
    /** TFRecord files; each record's bytes become {@code {"b64": ...}}. Read whole: a file is one shard's. */
    TF_RECORD("tf-record", false),
    /** TFRecord files, each compressed whole with gzip; otherwise as {@link #TF_RECORD}. */
    TF_RECORD_GZIP("tf-record-gzip", false);

    private final String text;
    private final boolean lines;

    InstancesFormat(String text, boolean lines) {
        this.text = text;
        this.lines = lines;
    }

    public String text() {
        return text;
    }

    /**
     * Whether the files hold one instance a line, so that shards split them at byte offsets; else each file is read
     * whole by one shard.
     */
    boolean lines() {
        return lines;
    }

    /** Whether each instance is the bytes {@code {"b64": ...}} of a file or record, which instanceConfig cannot shape. */
    boolean bytes() {
        return this == FILE_LIST || this == TF_RECORD || this == TF_RECORD_GZIP;
    }

    static InstancesFormat parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (InstancesFormat f : values()) {
            if (f.text.equals(v)) {
                return f;
            }
        }
        if (v.equals("bigquery")) {
            throw new BatchSettings.Invalid("explain.batch.instances-format bigquery is not supported by this"
                    + " runtime's batch entry (jsonl, csv, file-list, tf-record or tf-record-gzip); export the table"
                    + " to jsonl or csv files");
        }
        throw new BatchSettings.Invalid("explain.batch.instances-format must be jsonl, csv, file-list, tf-record or"
                + " tf-record-gzip, got '" + value + "'");
    }
}
