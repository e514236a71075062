package dev.explainable.serving.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Runs {@code src/test/ui/viewer.test.mjs} (playwright-core driving Debian's headless Chromium) against the page of
 * the runtime under test; skips with one line where either is missing (tools/ensure-browser.sh installs both).
 */
final class PageScript {

    static final Path UI = Path.of("src/test/ui");
    /** Screenshots stay in target/ unless {@code -Ddocs.images} asks for the committed ones in docs/images/. */
    static final boolean DOCS = System.getProperty("docs.images") != null;

    private PageScript() {}

    static void assumeBrowser() {
        Assumptions.assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/chromium"))
                        && Files.isDirectory(UI.resolve("node_modules/playwright-core")),
                "Chromium or playwright-core missing (tools/ensure-browser.sh installs them): page test skipped");
    }

    /** The screenshot's path: docs/images/{@code name} with -Ddocs.images, else target/{@code name}. */
    static Path screenshot(String name) {
        return (DOCS ? Path.of("../docs/images") : Path.of("target"))
                .resolve(name)
                .toAbsolutePath();
    }

    /** Runs the viewer script with its expectations; fails with its output unless every check passed. */
    static void viewer(URL base, String expectations, Path screenshot) throws Exception {
        run("viewer.test.mjs", base, expectations, screenshot);
    }

    /** Runs {@code script} of src/test/ui with its expectations; fails with its output unless every check passed. */
    static void run(String script, URL base, String expectations, Path screenshot) throws Exception {
        long start = System.nanoTime();
        Process p = new ProcessBuilder("node", script, base.toString(), expectations, screenshot.toString())
                .directory(UI.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        System.out.printf("%s(page script: %d ms)%n", out, (System.nanoTime() - start) / 1_000_000);
        assertEquals(0, p.exitValue(), out);
        long size = Files.size(screenshot);
        assertTrue(size < 200_000, "screenshot " + screenshot + " has " + size + " bytes; keep it under 200 KB");
    }
}
