package dev.explainable.serving.runtime.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What every fetch leaves in the cache folder: the model, or, after a failure, nothing at all. */
final class FetchAssertions {

    private FetchAssertions() {}

    /** Fetches {@code uri} into {@code cache}/m, which must fail and leave nothing; the failure. */
    static StorageException fails(StorageSettings settings, String uri, Path cache) {
        StorageException e =
                assertThrows(StorageException.class, () -> new ModelFetcher(settings).fetch(uri, cache.resolve("m")));
        assertFalse(Files.exists(cache.resolve("m")), "nothing at the destination");
        assertNoLeftovers(cache);
        return e;
    }

    static void assertNoLeftovers(Path cache) {
        try (Stream<Path> s = Files.list(cache)) {
            List<Path> left =
                    s.filter(p -> p.getFileName().toString().startsWith(".")).toList();
            assertEquals(List.of(), left, "no partial or old copies left");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
