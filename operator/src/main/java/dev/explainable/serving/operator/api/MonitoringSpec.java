package dev.explainable.serving.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/**
 * Attribution monitoring of a version (Vertex Model Monitoring's feature attribution skew and drift): the runtime's
 * explain.monitoring.* settings. Given at all, it is on.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MonitoringSpec {

    /** The sample rate when the block gives none. */
    public static final double DEFAULT_SAMPLE_RATE = 1.0;

    @Min(0)
    @Max(1)
    @JsonPropertyDescription("Share of served explanations profiled, 0 to 1; default 1.")
    private Double sampleRate;

    @Min(10)
    @Max(10000000)
    @JsonPropertyDescription("Profiled explanations per window; default the runtime's (1000).")
    private Integer windowSize;

    @Size(max = 2048)
    @Pattern("^(gs|s3)://.+$")
    @JsonPropertyDescription("The training baseline: attribution profiles of a batch job over training data"
            + " (gs://.../prediction-<model>-<time>/attribution.profile-*), read with the model's storage settings."
            + " None: drift only.")
    private String baselineUri;

    @Min(0)
    @Max(1)
    @JsonPropertyDescription("Skew (against the baseline) above which a feature is reported; default 0.1.")
    private Double skewThreshold;

    @Min(0)
    @Max(1)
    @JsonPropertyDescription("Drift (against the previous window) above which a feature is reported; default 0.1.")
    private Double driftThreshold;

    public Double getSampleRate() {
        return sampleRate;
    }

    public void setSampleRate(Double sampleRate) {
        this.sampleRate = sampleRate;
    }

    public Integer getWindowSize() {
        return windowSize;
    }

    public void setWindowSize(Integer windowSize) {
        this.windowSize = windowSize;
    }

    public String getBaselineUri() {
        return baselineUri;
    }

    public void setBaselineUri(String baselineUri) {
        this.baselineUri = baselineUri;
    }

    public Double getSkewThreshold() {
        return skewThreshold;
    }

    public void setSkewThreshold(Double skewThreshold) {
        this.skewThreshold = skewThreshold;
    }

    public Double getDriftThreshold() {
        return driftThreshold;
    }

    public void setDriftThreshold(Double driftThreshold) {
        this.driftThreshold = driftThreshold;
    }
}
