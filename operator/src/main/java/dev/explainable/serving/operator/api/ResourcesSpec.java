package dev.explainable.serving.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

public class ResourcesSpec {

    static final String QUANTITY = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";

    @Min(0)
    @Max(16)
    @JsonPropertyDescription("nvidia.com/gpu per pod; 0 runs on CPU.")
    private Integer gpus = 0;

    @Pattern(QUANTITY)
    @JsonPropertyDescription("CPU request and limit, a Kubernetes quantity (default 1).")
    private String cpu;

    @Pattern(QUANTITY)
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
