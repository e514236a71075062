package dev.explainable.serving.testkit;

import java.nio.file.Path;

/** The product's Helm chart, as the operator's chart test and the end-to-end test install it. */
public final class HelmChart {

    /** The release's namespace (the chart's default watch namespace). */
    public static final String NAMESPACE = "es-system";

    /** The identity of the operator pod the chart runs: its ServiceAccount, as the API server's audit log names it. */
    public static final String OPERATOR_SA = "system:serviceaccount:" + NAMESPACE + ":explainable-serving-operator";

    private HelmChart() {}

    /** helm/explainable-serving. */
    public static Path dir() {
        return ControlPlane.repoRoot().resolve("helm/explainable-serving");
    }
}
