package dev.explainable.serving.runtime.examples;

/** One example found near a query: its position in the set and its distance ({@link Distance}). */
public record Hit(int ordinal, double distance) implements Comparable<Hit> {

    /** Nearer first; at equal distance the earlier example, so that answers do not depend on search order. */
    @Override
    public int compareTo(Hit o) {
        int c = Double.compare(distance, o.distance);
        return c != 0 ? c : Integer.compare(ordinal, o.ordinal);
    }
}
