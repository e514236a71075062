package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.testing.ServedModelProfile;

/** The image classifier over HTTP: b64 PNG in, rendered overlay out, and the runtime's page in headless Chromium. */
@QuarkusTest
@TestProfile(ImageModelPageTest.ImageModel.class)
class ImageModelPageTest {

    public static class ImageModel extends ServedModelProfile {
        public ImageModel() {
            super("cnn_image", "flowers");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    static byte[] samplePng() throws Exception {
        JsonNode px = TestModels.expected("cnn_image").get("image");
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                JsonNode p = px.get(y).get(x);
                img.setRGB(
                        x,
                        y,
                        ((int) Math.round(p.get(0).asDouble() * 255) << 16)
                                | ((int) Math.round(p.get(1).asDouble() * 255) << 8)
                                | (int) Math.round(p.get(2).asDouble() * 255));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Test
    void b64PngInRenderedOverlayOut() throws Exception {
        String b64 = Base64.getEncoder().encodeToString(samplePng());
        String path = "/v1/projects/p/models/flowers:explain";
        given().contentType(ContentType.JSON)
                .body("{\"instances\": [{\"b64\": \"" + b64 + "\"}]}")
                .post(path)
                .then()
                .statusCode(200)
                .body(
                        "explanations[0].attributions_by_label[0].label_index",
                        org.hamcrest.Matchers.equalTo(TestModels.expected("cnn_image")
                                .get("label_index")
                                .asInt()))
                .body("explanations[0].attributions_by_label[0].attributions.image.b64_jpeg", notNullValue())
                .body("explanations[0].attributions_by_label[0].attributions.image.values", nullValue());
        given().contentType(ContentType.JSON)
                .body("{\"instances\": [{\"b64\": \"" + b64 + "\"}], "
                        + "\"parameters\": {\"visualization\": {\"output_format\": \"PNG\", \"type\": \"pixels\"}}}")
                .post(path)
                .then()
                .statusCode(200)
                .body("explanations[0].attributions_by_label[0].attributions.image.b64_png", notNullValue());
        given().contentType(ContentType.JSON)
                .body("{\"instances\": [{\"b64\": \"" + b64 + "\"}], "
                        + "\"parameters\": {\"visualization\": {\"color_map\": \"jet\"}}}")
                .post(path)
                .then()
                .statusCode(400)
                .body("error", containsString("'color_map' must be one of"));
    }

    @Test
    void pageUploadsAnImageAndShowsTheOverlayInHeadlessChromium() throws Exception {
        PageScript.assumeBrowser();
        given().get("/").then().statusCode(200).body(containsString("Explainable Serving"));
        Path png = Files.createTempFile("flower", ".png");
        Files.write(png, samplePng());
        Path shot = Path.of("target/page-test.png").toAbsolutePath();
        Process p = new ProcessBuilder("node", "upload.test.mjs", base.toString(), png.toString(), shot.toString())
                .directory(PageScript.UI.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(120, TimeUnit.SECONDS);
        System.out.println(out);
        assertEquals(0, p.exitValue(), out);
    }
}
