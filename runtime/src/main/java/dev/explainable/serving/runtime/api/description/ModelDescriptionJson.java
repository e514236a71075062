package dev.explainable.serving.runtime.api.description;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.explainable.serving.runtime.service.ModelDescription;

/** {@code GET /runtime/model}'s JSON: snake_case keys, nulls left out, shapes as lists ({@code -1}: free). */
public final class ModelDescriptionJson {

    private ModelDescriptionJson() {}

    public static Map<String, Object> write(String model, String version, ModelDescription d) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model);
        out.put("version", version);
        Map<String, Object> method = new LinkedHashMap<>();
        method.put("name", d.method().name());
        method.put("parameters", d.method().parameters());
        out.put("method", method);
        List<Object> requestInputs = new ArrayList<>();
        for (ModelDescription.RequestInput i : d.requestInputs()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", i.name());
            m.put("dtype", i.dtype());
            put(m, "shape", shape(i.shape()));
            put(m, "explained_input", i.explainedInput());
            put(m, "sample", i.sample());
            requestInputs.add(m);
        }
        out.put("request_inputs", requestInputs);
        List<Object> inputs = new ArrayList<>();
        for (ModelDescription.Input i : d.inputs()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", i.name());
            m.put("tensor_name", i.tensorName());
            put(m, "request_input", i.requestInput());
            put(m, "dtype", i.dtype());
            put(m, "shape", shape(i.shape()));
            m.put("modality", i.modality());
            m.put("encoding", i.encoding());
            put(m, "encoded_tensor_name", i.encodedTensorName());
            put(m, "encoded_shape", shape(i.encodedShape()));
            put(m, "feature_names", i.featureNames());
            put(m, "domain", i.domain());
            put(m, "group_name", i.groupName());
            put(m, "baselines", i.baselines());
            put(m, "encoded_baselines", i.encodedBaselines());
            put(m, "visualization", i.visualization());
            put(m, "indices_request_input", i.indicesRequestInput());
            put(m, "dense_shape_request_input", i.denseShapeRequestInput());
            inputs.add(m);
        }
        out.put("inputs", inputs);
        List<Object> outputs = new ArrayList<>();
        for (ModelDescription.Output o : d.outputs()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", o.name());
            m.put("shape", shape(o.shape()));
            put(m, "label_names", o.labelNames());
            outputs.add(m);
        }
        out.put("outputs", outputs);
        put(out, "sample_instance", d.sampleInstance());
        out.put("device", d.device());
        List<Object> devices = new ArrayList<>();
        for (ModelDescription.Device device : d.devices()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", device.name());
            m.put("type", device.type());
            m.put("memory_bytes", device.memoryBytes());
            devices.add(m);
        }
        out.put("devices", devices);
        return out;
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private static List<Long> shape(long[] shape) {
        if (shape == null) {
            return null;
        }
        List<Long> out = new ArrayList<>(shape.length);
        for (long d : shape) {
            out.add(d);
        }
        return out;
    }
}
