package dev.explainable.serving.runtime.examples;

/** A line of the example set left out, and why: reported (log, model description, metric), never fatal alone. */
public record BadLine(String location, long line, String reason) {

    @Override
    public String toString() {
        return location + ":" + line + ": " + reason;
    }
}
