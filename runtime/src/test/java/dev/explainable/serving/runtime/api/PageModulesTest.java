package dev.explainable.serving.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The page's ES modules: their unit tests ({@code src/test/ui/modules.test.mjs}, node's test runner, no browser), and
 * the rules every module keeps (the page tests click through the whole page in Chromium). Skips where node is
 * missing.
 */
class PageModulesTest {

    static final Path RESOURCES = Path.of("src/main/resources/META-INF/resources");

    @Test
    void theModulesUnitTestsPass() throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("node", "--test", "modules.test.mjs")
                    .directory(PageScript.UI.toFile())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            Assumptions.abort("node is not installed: the page modules' unit tests are skipped");
            return;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("# fail 0"), out);
    }

    /**
     * The page loads one module, which imports the others by relative paths: nothing from elsewhere, no inline script
     * (the Content-Security-Policy allows script-src 'self' only), no bundler.
     */
    @Test
    void thePageLoadsItsOwnModulesOnly() throws Exception {
        String html = Files.readString(RESOURCES.resolve("index.html"));
        Matcher scripts = Pattern.compile("<script[^>]*>").matcher(html);
        assertTrue(scripts.find());
        assertEquals("<script type=\"module\" src=\"/page.js\">", scripts.group());
        assertFalse(scripts.find(), "one script");
        Pattern from = Pattern.compile("^import .* from '([^']+)';$", Pattern.MULTILINE);
        try (Stream<Path> modules =
                Stream.concat(Stream.of(RESOURCES.resolve("page.js")), Files.list(RESOURCES.resolve("page")))) {
            for (Path m : modules.toList()) {
                Matcher imports = from.matcher(Files.readString(m));
                while (imports.find()) {
                    String target = imports.group(1);
                    assertTrue(target.startsWith("./") && target.endsWith(".js"), m + " imports " + target);
                    assertTrue(Files.isRegularFile(m.resolveSibling(target)), m + " imports a missing " + target);
                }
            }
        }
    }
}
