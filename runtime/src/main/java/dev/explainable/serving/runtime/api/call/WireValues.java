package dev.explainable.serving.runtime.api.call;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.explainable.serving.runtime.result.InputExplanation;
import dev.explainable.serving.runtime.result.NamedFeatures;
import dev.explainable.serving.runtime.result.RenderedImage;
import dev.explainable.serving.runtime.result.TensorAttribution;
import dev.explainable.serving.runtime.tensor.HostTensor;

/** The values both contracts write alike: an input's attributions, and the predictions. */
public final class WireValues {

    private WireValues() {}

    /** Nested lists (a number for a scalar), an object by feature name, or {@code {"b64_jpeg": ..., "values"}}. */
    public static Object attribution(InputExplanation value) {
        if (value instanceof TensorAttribution t) {
            return HostTensor.nestedDoubles(t.values(), t.shape());
        }
        if (value instanceof NamedFeatures f) {
            return f.features();
        }
        RenderedImage image = (RenderedImage) value;
        Map<String, Object> rendered = new LinkedHashMap<>();
        rendered.put("b64_" + image.format().wireName(), Base64.getEncoder().encodeToString(image.encoded()));
        if (image.includeRaw()) {
            rendered.put("values", attribution(image.tensor()));
        }
        return rendered;
    }

    /** One output's value per instance, or an object of named outputs (both contracts answer predictions so). */
    public static List<Object> predictionList(List<Map<String, HostTensor>> results) {
        List<Object> predictions = new ArrayList<>();
        for (Map<String, HostTensor> row : results) {
            if (row.size() == 1) {
                predictions.add(row.values().iterator().next().toJson());
            } else {
                Map<String, Object> named = new LinkedHashMap<>();
                row.forEach((key, value) -> named.put(key, value.toJson()));
                predictions.add(named);
            }
        }
        return predictions;
    }
}
