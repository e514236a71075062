package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URL;
import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.testing.ServedModelProfile;

/**
 * The page on the bundled MobileNetV2 in headless Chromium: the bundled sample explained without choosing a file,
 * the original and the overlay side by side, the visualization options applied live, and the approx_error warning
 * (a saturated softmax at 50 steps is far above 0.05). Writes the README's screenshot with {@code -Ddocs.images}.
 */
@QuarkusTest
@TestProfile(ImageViewerPageTest.MobileNet.class)
class ImageViewerPageTest {

    public static class MobileNet extends ServedModelProfile {
        public MobileNet() {
            super("mobilenet_v2", "mobilenet");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    @Test
    void theBundledSampleIsTheCommittedTestPicture() throws Exception {
        byte[] png = given().get("/sample.png")
                .then()
                .statusCode(200)
                .contentType("image/png")
                .extract()
                .asByteArray();
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        JsonNode px = TestModels.expected("cnn_image").get("image");
        assertEquals(px.size(), img.getHeight());
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                for (int c = 0; c < 3; c++) {
                    int want = (int) Math.round(px.get(y).get(x).get(c).asDouble() * 255);
                    assertEquals(want, (rgb >> (16 - 8 * c)) & 0xff, "pixel " + x + "," + y + " channel " + c);
                }
            }
        }
    }

    @Test
    void sampleOverlayLiveOptionsAndWarningInHeadlessChromium() throws Exception {
        PageScript.assumeBrowser();
        // the sample picture's top class for this model (its probabilities have no label names)
        String expectations = "{\"kind\": \"image\", \"label\": \"label_index 3\", \"warning\": true, "
                + "\"shotUntil\": \"#result\"}";
        PageScript.viewer(base, expectations, PageScript.screenshot("page-image.png"));
    }
}
