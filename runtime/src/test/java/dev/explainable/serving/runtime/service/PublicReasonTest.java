package dev.explainable.serving.runtime.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readiness and the API's 503s give a load failure's reason without this process' own folders. */
class PublicReasonTest {

    @TempDir
    Path dir;

    @Test
    void aFailureInTheModelCacheNamesTheCacheNotItsPath() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        Path cache = file.resolve("explainable-serving/models");
        IOException e = assertThrows(IOException.class, () -> Files.createDirectories(cache.resolve("iris-0a1b")));
        assertTrue(e.getMessage().contains(cache.toString()) || e.getMessage().contains(file.toString()));

        String reason =
                PublicReason.of(new UncheckedIOException("fetching gs://models/iris: " + e.getMessage(), e), cache);
        assertFalse(reason.contains(dir.toString()), reason);
        assertTrue(reason.startsWith("fetching gs://models/iris: "), reason);
    }

    @Test
    void theCacheIsNamedWhetherGivenRelativeOrAbsolute() {
        Path cache = Path.of("cache/models");
        String absolute = cache.toAbsolutePath() + "/iris-0a1b/saved_model.pb";
        assertEquals(
                "no saved_model.pb in <model cache>/iris-0a1b and <model cache>/x",
                PublicReason.redact(
                        "no saved_model.pb in " + absolute.replace("/saved_model.pb", "") + " and cache/models/x",
                        cache));
    }

    @Test
    void aMessageWithoutLocalPathsIsKept() {
        assertEquals(
                "fetching gs://models/half: not a SavedModel folder: no saved_model.pb",
                PublicReason.redact(
                        "fetching gs://models/half: not a SavedModel folder: no saved_model.pb",
                        Path.of("/var/cache/m")));
    }
}
