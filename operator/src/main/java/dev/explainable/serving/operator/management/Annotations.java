package dev.explainable.serving.operator.management;

/** Annotations the management API keeps on the objects it writes, for what their specs have no field for. */
public final class Annotations {

    /** A model's (an endpoint's) description. */
    public static final String DESCRIPTION = "serving.explainable.dev/description";

    /** A Vertex endpoint's display name. */
    public static final String DISPLAY_NAME = "serving.explainable.dev/display-name";

    /** Prefix of {@code <prefix><version>}: the Vertex model a version was deployed from, and its display name. */
    public static final String DEPLOYED_FROM = "vertex.serving.explainable.dev/deployed.";

    /**
     * The deployed model a deploy's traffic split gives all traffic to once it is Ready (the previous default keeps it
     * until then, as on Vertex).
     */
    public static final String TRAFFIC_ON_READY = "vertex.serving.explainable.dev/traffic-on-ready";

    /** The Vertex model a batch job explains with, as its full name. */
    public static final String VERTEX_MODEL = "vertex.serving.explainable.dev/model";

    private Annotations() {}
}
