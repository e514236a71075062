package dev.explainable.serving.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

public class RuntimeSpec {

    @JsonPropertyDescription("Runtime image (the GPU variant is used for versions with gpus > 0 unless set here); "
            + "only images the operator's policy allows (none by default besides its configured runtime images).")
    private String image;

    @JsonPropertyDescription("Always, IfNotPresent or Never.")
    private PullPolicy imagePullPolicy;

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
}
