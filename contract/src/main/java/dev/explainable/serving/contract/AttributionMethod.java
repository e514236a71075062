package dev.explainable.serving.contract;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The attribution methods, by the names each side uses: the runtime's {@code explain.method} value and the
 * ExplainableModel's {@code explanation.method} value.
 */
public enum AttributionMethod {
    INTEGRATED_GRADIENTS("integrated-gradients", "integratedGradients"),
    XRAI("xrai", "xrai"),
    SAMPLED_SHAPLEY("sampled-shapley", "sampledShapley");

    public static final AttributionMethod DEFAULT = INTEGRATED_GRADIENTS;
    /** {@link #DEFAULT}'s runtime name, as a constant that annotations can use. */
    public static final String DEFAULT_RUNTIME_NAME = "integrated-gradients";

    private final String runtimeName;
    private final String resourceName;

    AttributionMethod(String runtimeName, String resourceName) {
        this.runtimeName = runtimeName;
        this.resourceName = resourceName;
    }

    /** The runtime's {@code explain.method} ({@code EXPLAIN_METHOD}) value. */
    public String runtimeName() {
        return runtimeName;
    }

    /** The custom resource's {@code explanation.method} value. */
    public String resourceName() {
        return resourceName;
    }

    /** True for the methods that integrate gradients along paths (and so take {@code integral-steps}). */
    public boolean usesIntegralSteps() {
        return this != SAMPLED_SHAPLEY;
    }

    /** True for the methods that need the model's gradients; Sampled Shapley runs the model forward only. */
    public boolean usesGradients() {
        return this != SAMPLED_SHAPLEY;
    }

    /** Parses a runtime name, case-insensitively; the message lists the valid names. */
    public static AttributionMethod fromRuntimeName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values())
                .filter(m -> m.runtimeName.equals(n))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "explain.method must be one of " + runtimeNames() + ", got '" + name + "'"));
    }

    public static AttributionMethod fromResourceName(String name) {
        return Arrays.stream(values())
                .filter(m -> m.resourceName.equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("method must be one of "
                        + Arrays.stream(values())
                                .map(AttributionMethod::resourceName)
                                .toList() + ", got '" + name
                        + "'"));
    }

    public static List<String> runtimeNames() {
        return Arrays.stream(values()).map(AttributionMethod::runtimeName).toList();
    }
}
