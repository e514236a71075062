package dev.explainable.serving.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The Java API types are the source of truth; the CRD generated from them at build time must equal the one
 * checked in under crds/ (which Helm and the control-plane tests install). After changing the types:
 * {@code cp operator/target/kubernetes/*.serving.explainable.dev-v1.yml crds/} (and to helm/explainable-serving/crds/).
 *
 * <p>A {@code @QuarkusTest} so that the build step that generates the CRD has run before the comparison.
 */
@QuarkusTest
class CrdUpToDateTest {

    static final List<String> FILES = List.of(
            "explainablemodels.serving.explainable.dev-v1.yml", "explanationjobs.serving.explainable.dev-v1.yml");

    @Test
    void checkedInCrdsMatchTheJavaTypes() throws Exception {
        for (String file : FILES) {
            check(file);
        }
    }

    private static void check(String file) throws Exception {
        Path generated = Path.of("target/kubernetes", file);
        Path checkedIn = Path.of(System.getProperty("crds.dir", "../crds"), file);
        assertTrue(Files.exists(generated), "the Quarkus build did not generate " + generated);
        assertTrue(Files.exists(checkedIn), checkedIn + " is missing");
        assertEquals(
                Files.readString(generated),
                Files.readString(checkedIn),
                "crds/" + file + " is stale: copy " + generated + " to crds/");
    }
}
