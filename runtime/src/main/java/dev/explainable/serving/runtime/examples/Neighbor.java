package dev.explainable.serving.runtime.examples;

/** Vertex's {@code Neighbor}: an example's id from the example set, and its distance to the explained instance. */
public record Neighbor(String id, double distance) {}
