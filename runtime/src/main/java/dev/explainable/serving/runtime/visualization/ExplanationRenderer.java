package dev.explainable.serving.runtime.visualization;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.runtime.explain.InputAttribution;
import dev.explainable.serving.runtime.explain.InputValues;
import dev.explainable.serving.runtime.metadata.ExplanationMetadata.InputMetadata;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.result.InputExplanation;
import dev.explainable.serving.runtime.result.NamedFeatures;
import dev.explainable.serving.runtime.result.RenderedImage;
import dev.explainable.serving.runtime.result.TensorAttribution;
import dev.explainable.serving.runtime.tensor.TensorSpec;
import dev.explainable.serving.runtime.work.InvalidInstanceException;

/**
 * Gives each input's attributions the form its metadata asks for, as AI Platform does: inputs with
 * {@code modality: image} become a rendered picture (with the raw map kept beside it); inputs with an
 * {@code index_feature_mapping} become values by feature name; others stay a tensor.
 */
public final class ExplanationRenderer {

    private record ImageInput(VisualizationConfig config, double[] domain, Map<String, Object> raw) {}

    private final Map<String, ImageInput> images = new LinkedHashMap<>();
    private final Map<String, List<String>> featureNames = new LinkedHashMap<>();
    private final Map<String, String> encodings = new LinkedHashMap<>();
    private final AttributionMethod method;
    private final boolean includeRaw;

    /**
     * @param inputs     the explained inputs (shapes without the batch dimension)
     * @param metadata   their metadata, by input key
     * @param includeRaw whether answers show the raw map of image inputs (explain.visualization.include-raw)
     */
    public ExplanationRenderer(
            List<TensorSpec> inputs,
            Map<String, InputMetadata> metadata,
            AttributionMethod method,
            boolean includeRaw) {
        this.method = method;
        this.includeRaw = includeRaw;
        for (TensorSpec spec : inputs) {
            InputMetadata m = metadata.get(spec.key());
            encodings.put(spec.key(), m.encodingName());
            if (!m.isImage()) {
                if (m.indexFeatureMapping() != null && !m.indexFeatureMapping().isEmpty()) {
                    featureNames.put(spec.key(), m.indexFeatureMapping());
                }
                continue;
            }
            long[] shape = spec.shape();
            if (shape != null
                    && (shape.length < 2
                            || shape.length > 3
                            || (shape.length == 3 && shape[2] != 3 && shape[2] != 1 && shape[2] >= 0))) {
                throw new MetadataException("input '" + spec.key() + "' has modality image but its tensor has shape "
                        + spec.describeShape() + "; images are [batch, height, width(, 3)]");
            }
            double[] domain = m.domain() != null && m.domain().containsKey("min")
                    ? new double[] {m.domain().get("min"), m.domain().get("max")}
                    : null;
            images.put(
                    spec.key(),
                    new ImageInput(
                            VisualizationConfig.resolve(spec.key(), m.visualization(), method),
                            domain,
                            m.visualization()));
        }
    }

    /** True when some input is rendered as a picture. */
    public boolean rendersImages() {
        return !images.isEmpty();
    }

    /**
     * Each image input's settings for one request: the metadata's, or with {@code override} (keys of a metadata
     * {@code visualization}) merged over them. Invalid settings throw {@link MetadataException} listing each.
     */
    public Map<String, VisualizationConfig> settings(Map<String, Object> override) {
        Map<String, VisualizationConfig> configs = new LinkedHashMap<>();
        images.forEach((key, image) -> {
            if (override == null) {
                configs.put(key, image.config());
            } else {
                Map<String, Object> merged = new LinkedHashMap<>();
                if (image.raw() != null) {
                    merged.putAll(image.raw());
                }
                merged.putAll(override);
                configs.put(key, VisualizationConfig.resolve(key, merged, method));
            }
        });
        return configs;
    }

    /**
     * The attributions of one output in their final form, by input key.
     *
     * @param instance the explained inputs' values (the images drawn over)
     * @param settings from {@link #settings(Map)}
     */
    public Map<String, InputExplanation> render(
            List<InputAttribution> attributions,
            List<InputValues> instance,
            Map<String, VisualizationConfig> settings) {
        return render(attributions, instance, settings, Map.of());
    }

    /**
     * @param sparseFeatures for each sparse input, the feature (the index's last coordinate) of each stored value
     */
    public Map<String, InputExplanation> render(
            List<InputAttribution> attributions,
            List<InputValues> instance,
            Map<String, VisualizationConfig> settings,
            Map<String, long[]> sparseFeatures) {
        Map<String, InputExplanation> out = new LinkedHashMap<>();
        for (int i = 0; i < attributions.size(); i++) {
            InputAttribution a = attributions.get(i);
            TensorAttribution tensor = toInputFeatures(encodings.get(a.input()), a);
            List<String> names = featureNames.get(a.input());
            ImageInput image = images.get(a.input());
            long[] features = sparseFeatures.get(a.input());
            if (features != null) {
                out.put(a.input(), names == null ? tensor : sparse(a.input(), tensor, features, names));
            } else if (image != null) {
                out.put(a.input(), image(tensor, instance.get(i).values(), settings.get(a.input()), image.domain()));
            } else if (names != null) {
                out.put(a.input(), named(a.input(), tensor, names));
            } else {
                out.put(a.input(), tensor);
            }
        }
        return out;
    }

    /**
     * Attributions computed on an embedding, mapped back to the input's features: concat_embedding sums each
     * element's embedding (one attribution per token, as AI Platform documents); combined_embedding sums the one
     * combined embedding into one attribution for the input, since the combiner has merged the ids before the model
     * sees them. Other encodings are attributed on the input itself.
     */
    static TensorAttribution toInputFeatures(String encoding, InputAttribution a) {
        long[] shape = a.shape();
        if ("combined_embedding".equals(encoding)) {
            return new TensorAttribution(new long[0], new double[] {a.sum()});
        }
        if (!"concat_embedding".equals(encoding) || shape.length == 0) {
            return new TensorAttribution(shape, a.values());
        }
        int width = (int) shape[shape.length - 1];
        double[] perElement = new double[width == 0 ? 0 : a.values().length / width];
        for (int i = 0; i < a.values().length; i++) {
            perElement[i / width] += a.values()[i];
        }
        return new TensorAttribution(java.util.Arrays.copyOf(shape, shape.length - 1), perElement);
    }

    private RenderedImage image(TensorAttribution map, float[] pixels, VisualizationConfig config, double[] domain) {
        int h = (int) map.shape()[0];
        int w = (int) map.shape()[1];
        int[] rgb = AttributionRenderer.render(pixels, h, w, map.values(), config, domain);
        return new RenderedImage(
                config.outputFormat(), AttributionRenderer.encode(rgb, h, w, config.outputFormat()), map, includeRaw);
    }

    /**
     * A sparse input's attributions (one per stored value) by feature name: each value's feature is its index's last
     * coordinate in {@code index_feature_mapping}, values of one feature are summed, in feature order. Features the
     * instance does not store are left out: with the usual zero baseline an absent feature is the baseline itself
     * and gets nothing, and a large vocabulary would otherwise fill every answer with zeros.
     */
    static NamedFeatures sparse(String input, TensorAttribution tensor, long[] features, List<String> names) {
        java.util.TreeMap<Long, Double> sums = new java.util.TreeMap<>();
        for (int k = 0; k < features.length; k++) {
            if (features[k] < 0 || features[k] >= names.size()) {
                throw new InvalidInstanceException("input '" + input + "': index " + features[k]
                        + " is outside its index_feature_mapping (" + names.size() + " features)");
            }
            sums.merge(features[k], tensor.values()[k], Double::sum);
        }
        Map<String, Double> named = new LinkedHashMap<>();
        double[] values = new double[sums.size()];
        int i = 0;
        for (Map.Entry<Long, Double> e : sums.entrySet()) {
            named.put(names.get(e.getKey().intValue()), e.getValue());
            values[i++] = e.getValue();
        }
        return new NamedFeatures(named, new TensorAttribution(new long[] {values.length}, values));
    }

    private static NamedFeatures named(String input, TensorAttribution tensor, List<String> names) {
        if (tensor.values().length != names.size()) {
            // a free-size input whose instance does not fit the metadata's feature list
            throw new InvalidInstanceException("input '" + input + "' has " + tensor.values().length
                    + " values but its index_feature_mapping names " + names.size() + " features");
        }
        Map<String, Double> named = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            named.put(names.get(i), tensor.values()[i]);
        }
        return new NamedFeatures(named, tensor);
    }
}
