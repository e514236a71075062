package dev.explainable.serving.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.explain.IntegrationRule;
import dev.explainable.serving.runtime.result.RenderedImage;

/**
 * Writes the README's pictures: the bundled MobileNetV2 example explained with IG and XRAI, rendered with each
 * method's default visualization. Run: {@code ./mvnw -pl runtime test -Dtest=DocsImages -DexcludedTestGroups=none}.
 */
@Tag("docs")
class DocsImages {

    @Test
    void renderDocsImages() throws Exception {
        Path out = Path.of("../docs/images");
        Files.createDirectories(out);
        JsonNode exp = TestModels.expected("mobilenet_v2");
        String image = TestModels.unitImage(exp.get("image_uint8"));
        for (AttributionMethod method : List.of(AttributionMethod.INTEGRATED_GRADIENTS, AttributionMethod.XRAI)) {
            var loaded = TestModels.load("mobilenet_v2", method, 50, IntegrationRule.TRAPEZOID);
            RenderedImage rendered = (RenderedImage)
                    TestModels.explain(loaded, image).attributions().get("image");
            Path file = out.resolve("mobilenet-" + method.runtimeName() + ".jpg");
            Files.write(file, rendered.encoded());
            assertTrue(Files.size(file) > 0);
        }
        // the input itself, for comparison
        java.awt.image.BufferedImage img =
                new java.awt.image.BufferedImage(96, 96, java.awt.image.BufferedImage.TYPE_INT_RGB);
        JsonNode px = exp.get("image_uint8");
        for (int y = 0; y < 96; y++) {
            for (int x = 0; x < 96; x++) {
                JsonNode p = px.get(y).get(x);
                img.setRGB(
                        x,
                        y,
                        (p.get(0).asInt() << 16)
                                | (p.get(1).asInt() << 8)
                                | p.get(2).asInt());
            }
        }
        javax.imageio.ImageIO.write(
                img, "png", out.resolve("mobilenet-input.png").toFile());
    }
}
