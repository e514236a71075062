package dev.explainable.serving.runtime.batch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.explainable.serving.runtime.api.call.WireValues;
import dev.explainable.serving.runtime.api.vertex.VertexWire;
import dev.explainable.serving.runtime.monitoring.AttributionProfile;
import dev.explainable.serving.runtime.monitoring.ProfileAccumulator;
import dev.explainable.serving.runtime.service.ExplainOptions;
import dev.explainable.serving.runtime.service.ExplanationPipeline;
import dev.explainable.serving.runtime.work.InvalidRequestException;
import dev.explainable.serving.runtime.work.LimitExceededException;

/**
 * One call of a batch shard: its instances explained (or predicted) together, as the online Vertex {@code :explain}
 * answers them, into the results and errors lines of Vertex's batch output. Thread-safe: the shard's workers share it.
 */
final class ShardCall {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INVALID = "INVALID_ARGUMENT";

    /**
     * An instance of the shard, read: as written in the output, as the model is given it, and its key (with
     * explain.batch.key-field, written instead of the instance; else null).
     */
    record Item(JsonNode written, JsonNode instance, JsonNode key) {}

    /** A call's output lines, in its instances' order. */
    record Lines(List<String> results, List<String> errors) {}

    private final boolean generateExplanation;
    private final ExplanationPipeline pipeline;
    /** The shard's explanations as a profile (a baseline for monitoring); guarded by itself. */
    private final ProfileAccumulator profile = new ProfileAccumulator();

    ShardCall(boolean generateExplanation, ExplanationPipeline pipeline) {
        this.generateExplanation = generateExplanation;
        this.pipeline = pipeline;
    }

    /**
     * Explains a call's instances together; when the call is refused for an instance (its decode, its work, its
     * explanation), each instance alone, so that only the bad ones become errors lines.
     */
    Lines explain(List<Item> call) {
        List<String> results = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        try {
            results.addAll(resultLines(call));
        } catch (InvalidRequestException | LimitExceededException e) {
            if (call.size() == 1) {
                errors.add(errorLine(call.get(0).written(), call.get(0).key(), e.getMessage()));
            } else {
                for (Item one : call) {
                    Lines alone = explain(List.of(one));
                    results.addAll(alone.results());
                    errors.addAll(alone.errors());
                }
            }
        }
        return new Lines(results, errors);
    }

    /** The profile of the explanations so far (their results lines written or not). */
    AttributionProfile profile() {
        synchronized (profile) {
            return profile.profile();
        }
    }

    /** The results lines of a call: Vertex's explanation and prediction of each instance, as :explain answers. */
    private List<String> resultLines(List<Item> call) {
        List<JsonNode> instances = call.stream().map(Item::instance).toList();
        List<String> lines = new ArrayList<>(call.size());
        if (!generateExplanation) {
            List<Object> predictions = WireValues.predictionList(pipeline.predict(instances));
            for (int i = 0; i < call.size(); i++) {
                lines.add(line(call.get(i), predictions.get(i), null));
            }
            return lines;
        }
        ExplanationPipeline.ExplainedPredictions answer = pipeline.explainAndPredict(instances, ExplainOptions.NONE);
        synchronized (profile) {
            answer.explanations().forEach(profile::add);
        }
        VertexWire.ExplainResponse vertex = VertexWire.ExplainResponse.of(
                answer.explanations(), instances, null, WireValues.predictionList(answer.predictions()));
        for (int i = 0; i < call.size(); i++) {
            lines.add(line(
                    call.get(i),
                    vertex.predictions().get(i),
                    vertex.explanations().get(i)));
        }
        return lines;
    }

    private static String line(Item item, Object prediction, VertexWire.InstanceExplanation explanation) {
        Map<String, Object> line = new LinkedHashMap<>();
        if (item.key() != null) {
            line.put("key", item.key());
        } else {
            line.put("instance", item.written());
        }
        line.put("prediction", prediction);
        if (explanation != null) {
            line.put("explanation", explanation);
        }
        return write(line);
    }

    /** An errors line: the instance, or its key where explain.batch.key-field gave it one. */
    static String errorLine(JsonNode instance, JsonNode key, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("status", INVALID);
        error.put("message", message == null ? "" : message.replaceFirst("^instance 0: ", ""));
        Map<String, Object> line = new LinkedHashMap<>();
        if (key != null) {
            line.put("key", key);
        } else {
            line.put("instance", instance);
        }
        line.put("error", error);
        return write(line);
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
