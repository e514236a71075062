package dev.explainable.serving.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The Java API types are the source of truth; the CRD generated from them at build time must equal the one
 * checked in under crds/ (which Helm and the control-plane tests install). After changing the types:
 * {@code cp operator/target/kubernetes/explainablemodels.serving.explainable.dev-v1.yml crds/}.
 *
 * <p>A {@code @QuarkusTest} so that the build step that generates the CRD has run before the comparison.
 */
@QuarkusTest
class CrdUpToDateTest {

    static final String FILE = "explainablemodels.serving.explainable.dev-v1.yml";

    @Test
    void checkedInCrdMatchesTheJavaTypes() throws Exception {
        Path generated = Path.of("target/kubernetes", FILE);
        Path checkedIn = Path.of(System.getProperty("crds.dir", "../crds"), FILE);
        assertTrue(Files.exists(generated), "the Quarkus build did not generate " + generated);
        assertTrue(Files.exists(checkedIn), checkedIn + " is missing");
        assertEquals(
                Files.readString(generated),
                Files.readString(checkedIn),
                "crds/" + FILE + " is stale: copy " + generated + " to crds/");
    }
}
