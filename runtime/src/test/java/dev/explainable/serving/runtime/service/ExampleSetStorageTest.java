package dev.explainable.serving.runtime.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.examples.ExampleSet;
import dev.explainable.serving.runtime.examples.Neighbor;
import dev.explainable.serving.runtime.storage.ObjectStoreServers;
import dev.explainable.serving.runtime.testing.TestOptions;

/** An example set on gs:// (fake-gcs-server), in two files matched by a pattern, read with the storage settings. */
@EnabledIf("dev.explainable.serving.runtime.storage.ObjectStoreServers#available")
class ExampleSetStorageTest {

    @TempDir
    Path dir;

    @Test
    void aSetOnCloudStorageIsReadFromEveryFileThePatternMatches() throws Exception {
        Path data = dir.resolve("gcs");
        ExampleFiles.write(data.resolve("examples/sets/part-1.jsonl"), 300, 1);
        // ids of the second part: ex-0.. again would be duplicates; its own prefix
        List<String> second = Files.readAllLines(ExampleFiles.write(dir.resolve("second.jsonl"), 200, 2)).stream()
                .map(l -> l.replace("\"ex-", "\"more-"))
                .toList();
        Files.write(data.resolve("examples/sets/part-2.jsonl"), second);
        Files.writeString(data.resolve("examples/sets/notes.txt"), "not a part of the set");
        try (ObjectStoreServers.Server gcs = ObjectStoreServers.fakeGcs(data);
                LoadedModel model = ModelLoader.load(
                        TestModels.options(
                                "embedding_classifier", "explain.examples.uris", "gs://examples/sets/part-*.jsonl"),
                        TestOptions.storage(
                                "explain.storage.gcs.endpoint", gcs.endpoint(), "explain.storage.anonymous", "true"))) {
            ExampleSet set = model.pipeline().examples().set();
            assertEquals(500, set.size());
            assertEquals(0, set.report().badLines());
            // an example of each file is its own nearest neighbour
            for (String id : List.of("ex-17", "more-42")) {
                JsonNode line = TestModels.JSON.readTree(set.line(id));
                List<Neighbor> nearest = model.pipeline()
                        .neighbors(
                                List.of(TestModels.JSON.createObjectNode().set("features", line.get("features"))),
                                new NeighborRequest(1, false, false))
                        .neighbors()
                        .get(0);
                assertEquals(id, nearest.get(0).id());
                assertTrue(nearest.get(0).distance() < 1e-9);
            }
        }
    }
}
