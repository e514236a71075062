package dev.explainable.serving.runtime.batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.explainable.serving.runtime.TestModels;

/**
 * {@link BatchThroughputBenchmark} on the small image model of BatchShardTest ({@code jpeg_cnn}, its committed JPEG
 * as {@code {"b64": ...}}): online {@code :explain} at 8 and 32 clients, then a shard over
 * {@code benchmark.image-instances} lines of the same instance (no 1 GB run). Run in the same Maven invocation:
 * {@code -Dtest='BatchThroughput*Benchmark'}.
 */
@Tag("benchmark")
@QuarkusTest
@TestProfile(BatchThroughputImageBenchmark.Image.class)
class BatchThroughputImageBenchmark extends BatchThroughputBenchmark {

    public static class Image implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "explain.admission.max-queued-explanations", "64",
                    "explain.model.dir", "src/test/resources/models/jpeg_cnn");
        }
    }

    @Override
    String model() {
        return "jpeg_cnn";
    }

    @Override
    String instance() {
        try {
            return "{\"b64\": \""
                    + Base64.getEncoder()
                            .encodeToString(Files.readAllBytes(
                                    TestModels.dir("jpeg_cnn").resolve("sample.jpg")))
                    + "\"}";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    List<String> pool() {
        return List.of(instance());
    }

    @Override
    int instances() {
        return Integer.getInteger("benchmark.image-instances", 2_000);
    }
}
