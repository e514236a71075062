package dev.explainable.serving.runtime.api.call;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import dev.explainable.serving.runtime.result.InputExplanation;
import dev.explainable.serving.runtime.result.NamedFeatures;
import dev.explainable.serving.runtime.result.RenderedImage;
import dev.explainable.serving.runtime.result.TensorAttribution;
import dev.explainable.serving.runtime.tensor.HostTensor;

/** The values both contracts write alike: an input's attributions, and the predictions. */
public final class WireValues {

    private WireValues() {}

    /**
     * An input's attributions as both contracts write them: nested lists (a number for a scalar), an object by
     * feature name ({@code Map<String, Double>}), or an {@link EncodedImage}.
     */
    public static Object attribution(InputExplanation value) {
        if (value instanceof TensorAttribution t) {
            return HostTensor.nestedDoubles(t.values(), t.shape());
        }
        if (value instanceof NamedFeatures f) {
            return f.features();
        }
        RenderedImage image = (RenderedImage) value;
        String encoded = Base64.getEncoder().encodeToString(image.encoded());
        Object raw = image.includeRaw() ? attribution(image.tensor()) : null;
        return switch (image.format()) {
            case JPEG -> new EncodedImage(encoded, null, raw);
            case PNG -> new EncodedImage(null, encoded, raw);
        };
    }

    /**
     * An image input's attributions as a picture, {@code b64_jpeg} or {@code b64_png} by the metadata's
     * {@code output_format}, with the raw map as nested lists in {@code values} when
     * {@code explain.visualization.include-raw} asks for it.
     */
    @JsonInclude(NON_NULL)
    @JsonPropertyOrder({"b64_jpeg", "b64_png", "values"})
    public record EncodedImage(
            @JsonProperty("b64_jpeg") String b64Jpeg,
            @JsonProperty("b64_png") String b64Png,
            @JsonProperty("values") Object values) {}

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
