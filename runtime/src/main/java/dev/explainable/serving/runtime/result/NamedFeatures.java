package dev.explainable.serving.runtime.result;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Attributions of a bag of features ({@code index_feature_mapping}): one value per feature name, in order. */
public record NamedFeatures(Map<String, Double> features, TensorAttribution tensor) implements InputExplanation {

    public NamedFeatures {
        features = Collections.unmodifiableMap(new LinkedHashMap<>(features));
    }
}
