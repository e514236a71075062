package dev.explainable.serving.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.contract.ExplanationDefaults;

public class ExplanationSpec {

    @JsonPropertyDescription("integratedGradients (default), xrai or sampledShapley.")
    private Method method = Method.of(AttributionMethod.DEFAULT);

    @Min(1)
    @Max(ExplanationDefaults.MAX_STEPS_OR_PATHS)
    @JsonPropertyDescription(
            "Integrated Gradients and XRAI path steps (default " + ExplanationDefaults.INTEGRAL_STEPS + ").")
    private Integer integralSteps = ExplanationDefaults.INTEGRAL_STEPS;

    @Min(1)
    @Max(ExplanationDefaults.MAX_STEPS_OR_PATHS)
    @JsonPropertyDescription("Sampled Shapley permutations (default " + ExplanationDefaults.PATHS + ").")
    private Integer paths = ExplanationDefaults.PATHS;

    /**
     * The CRD's enum: the constants' names are the schema's values and the contract's
     * {@link AttributionMethod#resourceName()}s, which map them (ExplanationSpecTest checks both lists agree).
     */
    public enum Method {
        integratedGradients,
        xrai,
        sampledShapley;

        /** The method as the runtime knows it. */
        public AttributionMethod contract() {
            return AttributionMethod.fromResourceName(name());
        }

        public static Method of(AttributionMethod method) {
            return valueOf(method.resourceName());
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
