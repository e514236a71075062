package dev.explainable.serving.runtime.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.explainable.serving.runtime.testing.ServedModelProfile;

/**
 * 5,000 generated hostile requests against a model that takes JPEG bytes and decodes them in its own graph:
 * TensorFlow's own errors on the request's bytes must come back as 400 without graph internals.
 */
@QuarkusTest
@TestProfile(HostileImageBytesFuzzTest.JpegModel.class)
class HostileImageBytesFuzzTest {

    public static class JpegModel extends ServedModelProfile {
        public JpegModel() {
            super("jpeg_cnn", "jpeg");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @Test
    void bytesTheGraphCannotDecodeAreTheClientsError() throws Exception {
        HostileRequestFuzzTest.awaitReady();
        for (String b64 : new String[] {"aGVsbG8gd29ybGQ=", "", "/9j/4AAQSkZJRgABAQ=="}) {
            for (String verb : new String[] {":explain", ":predict"}) {
                RawHttp.Response r = RawHttp.send(
                        base.getPort(),
                        RawHttp.request(
                                "POST",
                                "/v1/projects/p/models/jpeg" + verb,
                                "application/json",
                                ("{\"instances\": [{\"b64\": \"" + b64 + "\"}]}").getBytes(StandardCharsets.UTF_8)),
                        30_000);
                assertEquals(400, r.status(), verb + " " + b64 + ": " + r.body());
                String error =
                        new ObjectMapper().readTree(r.body()).get("error").asText();
                assertTrue(error.startsWith("the model rejected the instance: "), error);
                assertFalse(error.contains("node") || error.contains("StatefulPartitionedCall"), error);
            }
        }
    }

    @Test
    void hostileRequestsToAModelThatDecodesImagesInItsGraph() throws Exception {
        HostileRequestFuzzTest.fuzz(base.getPort(), "jpeg", HostileRequestFuzzTest.REQUESTS);
    }
}
