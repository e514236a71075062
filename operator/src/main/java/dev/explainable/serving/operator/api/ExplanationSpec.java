package dev.explainable.serving.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

public class ExplanationSpec {

    @JsonPropertyDescription("integratedGradients (default), xrai or sampledShapley.")
    private Method method = Method.integratedGradients;

    @Min(1)
    @Max(1000)
    @JsonPropertyDescription("Integrated Gradients and XRAI path steps (default 50).")
    private Integer integralSteps = 50;

    @Min(1)
    @Max(1000)
    @JsonPropertyDescription("Sampled Shapley permutations (default 50).")
    private Integer paths = 50;

    public enum Method {
        integratedGradients("integrated-gradients"), xrai("xrai"), sampledShapley("sampled-shapley");

        private final String runtimeName;

        Method(String runtimeName) {
            this.runtimeName = runtimeName;
        }

        /** The runtime's {@code explain.method} value. */
        public String runtimeName() {
            return runtimeName;
        }
    }

    public Method getMethod() {
        return method;
    }

    public void setMethod(Method method) {
        this.method = method;
    }

    public Integer getIntegralSteps() {
        return integralSteps;
    }

    public void setIntegralSteps(Integer integralSteps) {
        this.integralSteps = integralSteps;
    }

    public Integer getPaths() {
        return paths;
    }

    public void setPaths(Integer paths) {
        this.paths = paths;
    }
}
