package dev.explainable.serving.runtime.service;

import java.util.List;
import java.util.Map;

/**
 * What a client needs to know to build requests for the served model and to read its explanations, computed once at
 * load (see {@link ModelDescriptions}): the method and its parameters, the request's inputs (the serving
 * signature's), the explained inputs (the metadata's, with their effective settings), the explained outputs with
 * their label names, and a sample instance. Shapes leave out the batch dimension; {@code -1} is a free dimension,
 * a null shape an unknown rank. Nulls mean "not given" and are left out of the JSON.
 *
 * @param sampleInstance a complete JSON instance built from the samples of the request inputs, or null where one of
 *                       them has none (an image, bytes, a free dimension)
 * @param devices        the devices TensorFlow runs the model with: the CPU, and each GPU it can use
 */
public record ModelDescription(
        Method method,
        List<RequestInput> requestInputs,
        List<Input> inputs,
        List<Output> outputs,
        Object sampleInstance,
        List<Device> devices) {

    public ModelDescription {
        requestInputs = List.copyOf(requestInputs);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        devices = List.copyOf(devices);
    }

    /** {@code GPU} when TensorFlow has a GPU (ops with a GPU kernel run on the first one), {@code CPU} otherwise. */
    public String device() {
        return devices.stream().anyMatch(d -> d.type().equals("GPU")) ? "GPU" : "CPU";
    }

    /**
     * One TensorFlow device.
     *
     * @param name        TensorFlow's name, e.g. {@code /job:localhost/replica:0/task:0/device:GPU:0}
     * @param type        {@code CPU} or {@code GPU}
     * @param memoryBytes the memory TensorFlow may use on it
     */
    public record Device(String name, String type, long memoryBytes) {}

    /**
     * The attribution method by its runtime name ({@code explain.method}) and its parameters by snake_case name
     * ({@code integral_steps}, {@code integration_rule}, with a target error {@code target_approx_error} and
     * {@code max_integral_steps}, {@code paths}, {@code xrai}).
     */
    public record Method(String name, Map<String, Object> parameters) {}

    /**
     * One input of the serving signature: what an instance gives a value for.
     *
     * @param explainedInput the metadata input whose {@code input_tensor_name} this tensor is: the tensor explained,
     *                       or under an embedding encoding the ids the embedding looks up (null when the metadata
     *                       explains a tensor computed from it inside the graph, or does not explain it)
     * @param sample         a JSON value for it: the explained input's first baseline, zeros otherwise; null for
     *                       images, strings and shapes with a free dimension
     */
    public record RequestInput(String name, String dtype, long[] shape, String explainedInput, Object sample) {}

    /**
     * One explained input of the metadata.
     *
     * @param tensorName    its {@code input_tensor_name}; {@code dtype} and {@code shape} are that tensor's (dtype
     *                      null where the runtime has no name for it)
     * @param requestInput  the signature input that feeds it directly, or null when it is computed inside the graph
     * @param modality      the metadata's, {@code numeric} when not given
     * @param encoding      the metadata's, {@code identity} when not given
     * @param encodedTensorName embedding encodings: the embedding the attributions are computed on (float32), null
     *                      otherwise; {@code encodedShape} is its shape
     * @param baselines     {@code input_baselines} as given; {@code encodedBaselines} the {@code encoded_baselines}
     * @param visualization for image inputs, the effective settings (the metadata's over the method's defaults) by
     *                      their metadata keys; null for other inputs
     * @param indicesRequestInput for a sparse input (its {@code requestInput} takes the values), the signature input
     *                      that takes the indices; null for dense inputs
     * @param denseShapeRequestInput for a sparse input, the signature input that takes the dense shape
     */
    public record Input(
            String name,
            String tensorName,
            String requestInput,
            String dtype,
            long[] shape,
            String modality,
            String encoding,
            String encodedTensorName,
            long[] encodedShape,
            List<String> featureNames,
            Map<String, Double> domain,
            String groupName,
            List<Object> baselines,
            List<Object> encodedBaselines,
            Map<String, Object> visualization,
            String indicesRequestInput,
            String denseShapeRequestInput) {}

    /** One explained output of the metadata, with its label names ({@code index_name_mapping}) where given. */
    public record Output(String name, long[] shape, List<String> labelNames) {}
}
