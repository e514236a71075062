package dev.explainable.serving.operator;

import java.util.Optional;

import dev.explainable.serving.operator.config.OperatorConfig;

/** Operator settings for tests, without Quarkus. */
public record TestConfig(boolean ingressEnabled, Optional<String> gpuTolerations) implements OperatorConfig {

    public TestConfig(boolean ingressEnabled) {
        this(ingressEnabled, Optional.empty());
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

    public String fetcherImage() {
        return "busybox:1.36";
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
        };
    }
}
