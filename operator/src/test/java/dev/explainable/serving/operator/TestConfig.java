package dev.explainable.serving.operator;

import java.util.List;
import java.util.Optional;

import dev.explainable.serving.operator.config.OperatorConfig;

/**
 * Operator settings for tests, without Quarkus. Unless a test passes its own policy, file:// models under
 * {@value #MODEL_PATH} are allowed: the control-plane tests' models live there (kwok pods mount nothing, and a PVC
 * would need a provisioner). The product's default allows none (OperatorConfigDefaultsTest).
 */
public record TestConfig(boolean ingressEnabled, Optional<String> gpuTolerations, Policy policy)
        implements OperatorConfig {

    public static final String MODEL_PATH = "/srv/models";

    public TestConfig(boolean ingressEnabled) {
        this(ingressEnabled, Optional.empty());
    }

    public TestConfig(boolean ingressEnabled, Optional<String> gpuTolerations) {
        this(ingressEnabled, gpuTolerations, policy(List.of(MODEL_PATH), List.of()));
    }

    /** A policy allowing file:// models under {@code paths} and runtime images matching {@code images}. */
    public static Policy policy(List<String> paths, List<String> images) {
        return new Policy() {
            public Optional<List<String>> allowedModelPaths() {
                return paths.isEmpty() ? Optional.empty() : Optional.of(paths);
            }

            public Optional<List<String>> allowedRuntimeImages() {
                return images.isEmpty() ? Optional.empty() : Optional.of(images);
            }
        };
    }

    public String runtimeImage() {
        return "example.org/runtime:1";
    }

    public String runtimeGpuImage() {
        return "example.org/runtime:1-gpu";
    }

    public String imagePullPolicy() {
        return "IfNotPresent";
    }

    public String defaultCpu() {
        return "1";
    }

    public String defaultMemory() {
        return "2Gi";
    }

    public Optional<String> gpuNodeSelector() {
        return Optional.of("nvidia.com/gpu.present=true");
    }

    public Autoscaling autoscaling() {
        return () -> DEFAULT_IN_FLIGHT_METRIC;
    }

    public Ingress ingress() {
        return new Ingress() {
            public boolean enabled() {
                return ingressEnabled;
            }

            public Optional<String> className() {
                return Optional.of("nginx");
            }

            public Optional<String> host() {
                return Optional.empty();
            }

            public List<String> vertexLocations() {
                return List.of("us-central1");
            }
        };
    }
}
