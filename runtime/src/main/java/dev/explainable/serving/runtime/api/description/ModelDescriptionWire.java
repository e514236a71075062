package dev.explainable.serving.runtime.api.description;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL;

import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import dev.explainable.serving.runtime.examples.ExampleSet;
import dev.explainable.serving.runtime.service.ModelDescription;

/**
 * {@code GET /runtime/model}'s JSON: the {@link ModelDescription} with snake_case keys, shapes as lists ({@code -1}:
 * a free dimension). A field marked {@code NON_NULL} is left out when it has no value; the others are always
 * written. {@code WireFormatTest} pins the bytes.
 */
public final class ModelDescriptionWire {

    private ModelDescriptionWire() {}

    /** The served model, described for clients that build requests from it (the runtime's page). */
    @Schema(name = "RuntimeModelDescription")
    @JsonPropertyOrder({
        "model",
        "version",
        "method",
        "request_inputs",
        "inputs",
        "outputs",
        "sample_instance",
        "device",
        "devices",
        "examples"
    })
    public record Description(
            @JsonProperty("model") String model,
            @JsonProperty("version") String version,
            @JsonProperty("method") Method method,
            @JsonProperty("request_inputs") List<RequestInput> requestInputs,
            @JsonProperty("inputs") List<Input> inputs,
            @JsonProperty("outputs") List<Output> outputs,

            @JsonProperty("sample_instance") @JsonInclude(NON_NULL)
            Object sampleInstance,

            @JsonProperty("device") String device,
            @JsonProperty("devices") List<Device> devices,
            @JsonProperty("examples") @JsonInclude(NON_NULL) Examples examples) {

        public static Description of(String model, String version, ModelDescription d) {
            return of(model, version, d, null);
        }

        /** With the example set's report, for a model that explains by example ({@code examples} null otherwise). */
        public static Description of(String model, String version, ModelDescription d, ExampleSet.Report examples) {
            return new Description(
                    model,
                    version,
                    new Method(d.method().name(), d.method().parameters()),
                    d.requestInputs().stream().map(RequestInput::of).toList(),
                    d.inputs().stream().map(Input::of).toList(),
                    d.outputs().stream().map(Output::of).toList(),
                    d.sampleInstance(),
                    d.device(),
                    d.devices().stream().map(Device::of).toList(),
                    examples == null ? null : Examples.of(examples));
        }
    }

    /**
     * The example set of a model that explains by example, as its load found it: the examples and their embedding's
     * size, the search and distance, the bad lines (their count and the first few, "location:line: reason"), the
     * build time and the bytes it holds, and whether its lines are kept to show.
     */
    @Schema(name = "RuntimeModelExamples")
    @JsonPropertyOrder({
        "examples",
        "dimensions",
        "search",
        "distance",
        "bad_lines",
        "first_bad_lines",
        "build_millis",
        "bytes",
        "lines_kept"
    })
    public record Examples(
            @JsonProperty("examples") int examples,
            @JsonProperty("dimensions") int dimensions,
            @JsonProperty("search") String search,
            @JsonProperty("distance") String distance,
            @JsonProperty("bad_lines") long badLines,
            @JsonProperty("first_bad_lines") List<String> firstBadLines,
            @JsonProperty("build_millis") long buildMillis,
            @JsonProperty("bytes") long bytes,
            @JsonProperty("lines_kept") boolean linesKept) {

        static Examples of(ExampleSet.Report r) {
            return new Examples(
                    r.examples(),
                    r.dimensions(),
                    r.search(),
                    r.distance(),
                    r.badLines(),
                    r.firstBadLines().stream().map(Object::toString).toList(),
                    r.buildMillis(),
                    r.bytes(),
                    r.linesKept());
        }
    }

    /** The attribution method by its runtime name and its parameters by snake_case name. */
    @Schema(name = "RuntimeModelMethod")
    @JsonPropertyOrder({"name", "parameters"})
    public record Method(
            @JsonProperty("name") String name,
            @JsonProperty("parameters") Map<String, Object> parameters) {}

    /** One input of the serving signature: what an instance gives a value for. */
    @Schema(name = "RuntimeModelRequestInput")
    @JsonPropertyOrder({"name", "dtype", "shape", "explained_input", "sample"})
    public record RequestInput(
            @JsonProperty("name") String name,
            @JsonProperty("dtype") String dtype,
            @JsonProperty("shape") @JsonInclude(NON_NULL) long[] shape,

            @JsonProperty("explained_input") @JsonInclude(NON_NULL)
            String explainedInput,

            @JsonProperty("sample") @JsonInclude(NON_NULL) Object sample) {

        static RequestInput of(ModelDescription.RequestInput i) {
            return new RequestInput(i.name(), i.dtype(), i.shape(), i.explainedInput(), i.sample());
        }
    }

    /** One explained input of the metadata, with its effective settings. */
    @Schema(name = "RuntimeModelInput")
    @JsonPropertyOrder({
        "name",
        "tensor_name",
        "request_input",
        "dtype",
        "shape",
        "modality",
        "encoding",
        "encoded_tensor_name",
        "encoded_shape",
        "feature_names",
        "domain",
        "group_name",
        "baselines",
        "encoded_baselines",
        "visualization",
        "indices_request_input",
        "dense_shape_request_input"
    })
    public record Input(
            @JsonProperty("name") String name,
            @JsonProperty("tensor_name") String tensorName,

            @JsonProperty("request_input") @JsonInclude(NON_NULL)
            String requestInput,

            @JsonProperty("dtype") @JsonInclude(NON_NULL) String dtype,
            @JsonProperty("shape") @JsonInclude(NON_NULL) long[] shape,
            @JsonProperty("modality") String modality,
            @JsonProperty("encoding") String encoding,

            @JsonProperty("encoded_tensor_name") @JsonInclude(NON_NULL)
            String encodedTensorName,

            @JsonProperty("encoded_shape") @JsonInclude(NON_NULL)
            long[] encodedShape,

            @JsonProperty("feature_names") @JsonInclude(NON_NULL)
            List<String> featureNames,

            @JsonProperty("domain") @JsonInclude(NON_NULL) Map<String, Double> domain,

            @JsonProperty("group_name") @JsonInclude(NON_NULL)
            String groupName,

            @JsonProperty("baselines") @JsonInclude(NON_NULL)
            List<Object> baselines,

            @JsonProperty("encoded_baselines") @JsonInclude(NON_NULL)
            List<Object> encodedBaselines,

            @JsonProperty("visualization") @JsonInclude(NON_NULL)
            Map<String, Object> visualization,

            @JsonProperty("indices_request_input") @JsonInclude(NON_NULL)
            String indicesRequestInput,

            @JsonProperty("dense_shape_request_input") @JsonInclude(NON_NULL)
            String denseShapeRequestInput) {

        static Input of(ModelDescription.Input i) {
            return new Input(
                    i.name(),
                    i.tensorName(),
                    i.requestInput(),
                    i.dtype(),
                    i.shape(),
                    i.modality(),
                    i.encoding(),
                    i.encodedTensorName(),
                    i.encodedShape(),
                    i.featureNames(),
                    i.domain(),
                    i.groupName(),
                    i.baselines(),
                    i.encodedBaselines(),
                    i.visualization(),
                    i.indicesRequestInput(),
                    i.denseShapeRequestInput());
        }
    }

    /** One explained output of the metadata, with its label names where given. */
    @Schema(name = "RuntimeModelOutput")
    @JsonPropertyOrder({"name", "shape", "label_names"})
    public record Output(
            @JsonProperty("name") String name,
            @JsonProperty("shape") long[] shape,

            @JsonProperty("label_names") @JsonInclude(NON_NULL)
            List<String> labelNames) {

        static Output of(ModelDescription.Output o) {
            return new Output(o.name(), o.shape(), o.labelNames());
        }
    }

    /** One device TensorFlow runs the model with. */
    @Schema(name = "RuntimeModelDevice")
    @JsonPropertyOrder({"name", "type", "memory_bytes"})
    public record Device(
            @JsonProperty("name") String name,
            @JsonProperty("type") String type,
            @JsonProperty("memory_bytes") long memoryBytes) {

        static Device of(ModelDescription.Device d) {
            return new Device(d.name(), d.type(), d.memoryBytes());
        }
    }
}
