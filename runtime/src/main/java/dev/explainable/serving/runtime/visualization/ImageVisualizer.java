package dev.explainable.serving.runtime.visualization;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.explainable.serving.runtime.explain.AttributionByLabel;
import dev.explainable.serving.runtime.explain.AttributionMap;
import dev.explainable.serving.runtime.explain.Explainer;
import dev.explainable.serving.runtime.explain.Explanation;
import dev.explainable.serving.runtime.explain.Instance;
import dev.explainable.serving.runtime.metadata.ExplanationMetadata.InputMetadata;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.model.ServingModel;
import dev.explainable.serving.runtime.model.ServingModel.ExplainedInput;

/**
 * Wraps an explainer and shapes attributions as AI Platform returns them: for inputs with {@code modality: image}
 * the rendered picture, {@code {"b64_jpeg": "..."}} (or {@code b64_png}), with include-raw the attribution tensor
 * beside it under {@code values}; for inputs with an {@code index_feature_mapping} (bag of features), an object
 * keyed by feature name.
 */
public final class ImageVisualizer implements Explainer {

    record Target(VisualizationConfig config, double[] domain, Map<String, Object> raw) {
    }

    private final Explainer inner;
    private final Map<String, Target> images = new LinkedHashMap<>();
    private final Map<String, List<String>> featureNames = new LinkedHashMap<>();
    private final boolean includeRaw;
    private final String method;

    public ImageVisualizer(Explainer inner, ServingModel model, String method, boolean includeRaw) {
        this.inner = inner;
        this.includeRaw = includeRaw;
        this.method = method;
        for (ExplainedInput e : model.explainedInputs()) {
            InputMetadata m = e.metadata();
            if (!m.isImage()) {
                if (m.indexFeatureMapping() != null && !m.indexFeatureMapping().isEmpty()) {
                    featureNames.put(e.key(), m.indexFeatureMapping());
                }
                continue;
            }
            long[] shape = e.spec().shape();
            if (shape != null && (shape.length < 2 || shape.length > 3 || (shape.length == 3 && shape[2] != 3
                    && shape[2] != 1 && shape[2] >= 0))) {
                throw new MetadataException("input '" + e.key() + "' has modality image but its tensor has shape "
                        + e.spec().describeShape() + "; images are [batch, height, width(, 3)]");
            }
            double[] domain = m.domain() != null && m.domain().containsKey("min")
                    ? new double[] {m.domain().get("min"), m.domain().get("max")} : null;
            images.put(e.key(), new Target(VisualizationConfig.resolve(e.key(), m.visualization(), method), domain,
                    m.visualization()));
        }
    }

    /** True when some input is rendered. */
    public boolean active() {
        return !images.isEmpty();
    }

    @Override
    public Explanation explain(Instance instance) {
        return explain(instance, null);
    }

    @Override
    public long evaluations(Instance instance) {
        return inner.evaluations(instance);
    }

    /**
     * With {@code override} (keys of a metadata {@code visualization}), those settings replace the metadata's for
     * this call; invalid ones throw {@link MetadataException}.
     */
    public Explanation explain(Instance instance, Map<String, Object> override) {
        Map<String, VisualizationConfig> configs = new LinkedHashMap<>();
        images.forEach((key, target) -> {
            if (override == null) {
                configs.put(key, target.config());
            } else {
                Map<String, Object> merged = new LinkedHashMap<>();
                if (target.raw() != null) {
                    merged.putAll(target.raw());
                }
                merged.putAll(override);
                configs.put(key, VisualizationConfig.resolve(key, merged, method));
            }
        });
        Explanation e = inner.explain(instance);
        if (images.isEmpty() && featureNames.isEmpty()) {
            return e;
        }
        List<AttributionByLabel> out = new ArrayList<>();
        for (AttributionByLabel a : e.attributionsByLabel()) {
            Map<String, Object> attributions = new LinkedHashMap<>(a.attributions());
            featureNames.forEach((key, names) -> {
                double[] values = ((AttributionMap) a.attributions().get(key)).values();
                if (values.length != names.size()) {
                    throw new MetadataException("input '" + key + "' has " + values.length + " values but its "
                            + "index_feature_mapping names " + names.size() + " features");
                }
                Map<String, Double> named = new LinkedHashMap<>();
                for (int i = 0; i < values.length; i++) {
                    named.put(names.get(i), values[i]);
                }
                attributions.put(key, named);
            });
            images.forEach((key, target) -> {
                AttributionMap map = (AttributionMap) a.attributions().get(key);
                long[] shape = map.shape();
                int h = (int) shape[0];
                int w = (int) shape[1];
                float[] image = instance.explainedValues().get(key).floats();
                VisualizationConfig config = configs.get(key);
                int[] rgb = AttributionRenderer.render(image, h, w, map.values(), config, target.domain());
                String format = config.outputFormat();
                Map<String, Object> rendered = new LinkedHashMap<>();
                rendered.put("b64_" + format, Base64.getEncoder().encodeToString(AttributionRenderer.encode(rgb, h, w,
                        format)));
                if (includeRaw) {
                    rendered.put("values", map);
                }
                attributions.put(key, rendered);
            });
            out.add(new AttributionByLabel(a.approxError(), attributions, a.baselineScore(), a.exampleScore(),
                    a.labelIndex(), a.labelName(), a.outputName()));
        }
        return new Explanation(out);
    }
}
