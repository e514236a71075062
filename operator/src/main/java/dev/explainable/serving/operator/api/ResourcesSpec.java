package dev.explainable.serving.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

public class ResourcesSpec {

    /**
     * Kubernetes' quantity grammar (number, then a binary or decimal SI suffix or an exponent), positive only: no
     * sign, and a non-zero digit in the number. The API server's own pattern lets "-1Gi" through to the Deployment,
     * which would refuse it only then.
     */
    static final String QUANTITY =
            "^([0-9]*[1-9][0-9]*(\\.[0-9]*)?|[0-9]*\\.[0-9]*[1-9][0-9]*)([KMGTPE]i|[mkMGTPE]|[eE][+-]?[0-9]+)?$";

    @Min(0)
    @Max(16)
    @JsonPropertyDescription("nvidia.com/gpu per pod; 0 runs on CPU.")
    private Integer gpus = 0;

    @Pattern(QUANTITY)
    @Size(max = 32)
    @JsonPropertyDescription("CPU request and limit, a Kubernetes quantity (default 1).")
    private String cpu;

    @Pattern(QUANTITY)
    @Size(max = 32)
    @JsonPropertyDescription("Memory request and limit, a Kubernetes quantity (default 2Gi).")
    private String memory;

    public Integer getGpus() {
        return gpus;
    }

    public void setGpus(Integer gpus) {
        this.gpus = gpus;
    }

    public String getCpu() {
        return cpu;
    }

    public void setCpu(String cpu) {
        this.cpu = cpu;
    }

    public String getMemory() {
        return memory;
    }

    public void setMemory(String memory) {
        this.memory = memory;
    }
}
