package dev.explainable.serving.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

public class RuntimeSpec {

    @JsonPropertyDescription("Runtime image (the GPU variant is used for versions with gpus > 0 unless set here); "
            + "only images the operator's policy allows (none by default besides its configured runtime images).")
    private String image;

    @JsonPropertyDescription("Always, IfNotPresent or Never.")
    private PullPolicy imagePullPolicy;

    @JsonPropertyDescription("TensorFlow's oneDNN CPU kernels (TF_ENABLE_ONEDNN_OPTS) in the runtime's pods and batch "
            + "shards: true or false; unset leaves TensorFlow's choice for the node's CPU (on for CPUs with AVX-512 VNNI, "
            + "BF16 or AMX). With them on a 2-core AMD EPYC image models answered 1.1-2.3x as many explanations, a "
            + "small tabular model 0.8-0.9x (docs/operations.md).")
    private Boolean oneDnn;

    public enum PullPolicy {
        Always,
        IfNotPresent,
        Never
    }

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    public PullPolicy getImagePullPolicy() {
        return imagePullPolicy;
    }

    public void setImagePullPolicy(PullPolicy imagePullPolicy) {
        this.imagePullPolicy = imagePullPolicy;
    }

    public Boolean getOneDnn() {
        return oneDnn;
    }

    public void setOneDnn(Boolean oneDnn) {
        this.oneDnn = oneDnn;
    }
}
