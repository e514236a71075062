package dev.explainable.serving.contract;

/**
 * How a runtime forwards a request for another version of its model (Vertex's {@code deployedModelId}): the default
 * bound on forwards in flight, which the operator sets on every pod and the runtime applies when unset. The
 * {@code *_TEXT} twin is a compile-time constant for configuration annotations.
 */
public final class RoutingDefaults {

    /**
     * Forwards one pod has in flight at once. A forward costs this pod a waiting worker thread and a buffered answer;
     * the other version queues and computes, with its own admission control, so a small number suffices.
     */
    public static final int MAX_CONCURRENT_FORWARDS = 8;

    public static final String MAX_CONCURRENT_FORWARDS_TEXT = "" + MAX_CONCURRENT_FORWARDS;

    private RoutingDefaults() {}
}
