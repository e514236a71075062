package dev.explainable.serving.runtime.service;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.runtime.config.MethodOptions;
import dev.explainable.serving.runtime.explain.xrai.XraiParameters;
import dev.explainable.serving.runtime.metadata.ExplanationMetadata.InputMetadata;
import dev.explainable.serving.runtime.model.InputInfo;
import dev.explainable.serving.runtime.model.ModelSignature;
import dev.explainable.serving.runtime.model.OutputInfo;
import dev.explainable.serving.runtime.model.TensorFlowDevices;
import dev.explainable.serving.runtime.tensor.DType;
import dev.explainable.serving.runtime.tensor.TensorSpec;
import dev.explainable.serving.runtime.visualization.VisualizationConfig;

/** Builds the {@link ModelDescription} of a loaded model, once, from its signature, metadata and options. */
final class ModelDescriptions {

    private ModelDescriptions() {}

    static ModelDescription describe(
            MethodOptions options, ModelSignature model, List<TensorFlowDevices.Device> modelDevices) {
        List<ModelDescription.RequestInput> requestInputs = new ArrayList<>();
        for (TensorSpec s : model.signatureInputs()) {
            InputInfo explained = model.explainedInputs().stream()
                    .filter(e -> s.key().equals(e.requestKey())
                            || (e.sparse() != null && e.sparse().isPart(s.key())))
                    .findFirst()
                    .orElse(null);
            requestInputs.add(new ModelDescription.RequestInput(
                    s.key(),
                    s.dtype().displayName(),
                    copy(s.shape()),
                    explained == null ? null : explained.key(),
                    sample(s, explained)));
        }
        List<ModelDescription.Input> inputs = new ArrayList<>();
        for (InputInfo e : model.explainedInputs()) {
            InputMetadata m = e.metadata();
            boolean encoded = m.encodedTensorName() != null;
            inputs.add(new ModelDescription.Input(
                    e.key(),
                    e.input().tensorName(),
                    e.requestKey(),
                    e.input().dtype() == null ? null : e.input().dtype().displayName(),
                    copy(e.input().shape()),
                    m.modality() == null ? "numeric" : m.modality().toLowerCase(Locale.ROOT),
                    m.encoding() == null ? "identity" : m.encoding().toLowerCase(Locale.ROOT),
                    encoded ? e.spec().tensorName() : null,
                    encoded ? copy(e.spec().shape()) : null,
                    copyOf(m.indexFeatureMapping()),
                    m.domain() == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(m.domain())),
                    m.groupName(),
                    copyOf(m.inputBaselines()),
                    copyOf(m.encodedBaselines()),
                    m.isImage()
                            ? visualization(VisualizationConfig.resolve(e.key(), m.visualization(), options.method()))
                            : null,
                    e.sparse() == null ? null : e.sparse().indicesKey(),
                    e.sparse() == null ? null : e.sparse().denseShapeKey()));
        }
        List<ModelDescription.Output> outputs = new ArrayList<>();
        for (OutputInfo o : model.explainedOutputs()) {
            outputs.add(new ModelDescription.Output(o.key(), copy(o.shape()), copyOf(o.indexNameMapping())));
        }
        List<ModelDescription.Device> devices = modelDevices.stream()
                .map(d -> new ModelDescription.Device(d.name(), d.type(), d.memoryBytes()))
                .toList();
        return new ModelDescription(
                method(options), requestInputs, inputs, outputs, sampleInstance(requestInputs), devices);
    }

    static ModelDescription.Method method(MethodOptions options) {
        AttributionMethod method = options.method();
        Map<String, Object> parameters = new LinkedHashMap<>();
        if (method.usesIntegralSteps()) {
            parameters.put("integral_steps", options.integralSteps());
            parameters.put("integration_rule", options.integrationRule().name().toLowerCase(Locale.ROOT));
            options.targetApproxError().ifPresent(t -> {
                parameters.put("target_approx_error", t);
                parameters.put("max_integral_steps", options.maxIntegralSteps());
                parameters.put("step_placement", options.stepPlacement().setting());
            });
        } else {
            parameters.put("paths", options.paths());
        }
        if (method == AttributionMethod.XRAI) {
            XraiParameters x = options.xrai();
            Map<String, Object> xrai = new LinkedHashMap<>();
            xrai.put("segmentation_size", x.segmentationSize());
            xrai.put("scales", List.copyOf(x.scales()));
            xrai.put("sigma", x.sigma());
            xrai.put("min_segment_size", x.minSegmentSize());
            xrai.put("dilation_radius", x.dilationRadius());
            xrai.put("min_pixel_diff", x.minPixelDiff());
            xrai.put("area_threshold", x.areaThreshold());
            parameters.put("xrai", Collections.unmodifiableMap(xrai));
        }
        return new ModelDescription.Method(method.runtimeName(), Collections.unmodifiableMap(parameters));
    }

    /** The settings by their metadata keys and values, as a request's {@code parameters.visualization} takes them. */
    static Map<String, Object> visualization(VisualizationConfig c) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("type", c.type().wireName());
        v.put("polarity", c.polarity().wireName());
        v.put("clip_below_percentile", c.clipBelowPercentile());
        v.put("clip_above_percentile", c.clipAbovePercentile());
        v.put("color_map", c.colorMap().wireName());
        v.put("overlay_type", c.overlayType().wireName());
        v.put("overlay_multiplier", c.overlayMultiplier());
        v.put("output_format", c.outputFormat().wireName());
        v.put("blur_sigma", c.blurSigma());
        v.put("shade_within_outlines", c.shadeWithinOutlines());
        return Collections.unmodifiableMap(v);
    }

    /**
     * A value for one signature input: for an explained input its first baseline (a scalar broadcast to the shape),
     * zeros without one; zeros (false) for other numeric inputs. None for images (a picture is what a client sends),
     * sparse inputs' parts, strings, and shapes with a free dimension or an unknown rank.
     */
    private static Object sample(TensorSpec s, InputInfo explained) {
        long[] shape = s.shape();
        if (shape == null || Arrays.stream(shape).anyMatch(d -> d < 0) || s.dtype() == DType.STRING) {
            return null;
        }
        if (explained != null && (explained.metadata().isImage() || explained.sparse() != null)) {
            return null; // a picture, or a sparse input's part: what a client fills in
        }
        if (elements(shape) > 4096) {
            return null; // not a form anyone fills in by hand
        }
        Object fill = switch (s.dtype()) {
            case BOOL -> Boolean.FALSE;
            case INT32, INT64 -> 0;
            default -> 0.0;
        };
        if (explained != null
                && explained.metadata().inputBaselines() != null
                && !explained.metadata().inputBaselines().isEmpty()) {
            Object first = explained.metadata().inputBaselines().get(0);
            if (!(first instanceof Number)) {
                return first; // a whole baseline of the input's shape (checked by the warm-up explanation)
            }
            fill = first;
        }
        return filled(shape, 0, fill);
    }

    private static Object filled(long[] shape, int dim, Object value) {
        if (dim == shape.length) {
            return value;
        }
        List<Object> list = new ArrayList<>((int) shape[dim]);
        for (long i = 0; i < shape[dim]; i++) {
            list.add(filled(shape, dim + 1, value));
        }
        return Collections.unmodifiableList(list);
    }

    private static Object sampleInstance(List<ModelDescription.RequestInput> inputs) {
        if (inputs.stream().anyMatch(i -> i.sample() == null)) {
            return null;
        }
        if (inputs.size() == 1) {
            return inputs.get(0).sample();
        }
        Map<String, Object> named = new LinkedHashMap<>();
        inputs.forEach(i -> named.put(i.name(), i.sample()));
        return Collections.unmodifiableMap(named);
    }

    /** An unmodifiable copy that, unlike {@code List.copyOf}, keeps whatever the metadata holds (nulls too). */
    private static <T> List<T> copyOf(List<T> list) {
        return list == null ? null : Collections.unmodifiableList(new ArrayList<>(list));
    }

    private static long[] copy(long[] shape) {
        return shape == null ? null : shape.clone();
    }

    /** The element count, capped: a shape this large gets no sample anyway. */
    private static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
            if (n > Integer.MAX_VALUE) {
                return Integer.MAX_VALUE;
            }
        }
        return n;
    }
}
