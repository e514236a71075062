package dev.explainable.serving.runtime.hardening;

import java.net.URL;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * 5,000 generated hostile requests against a model that takes JPEG bytes and decodes them in its own graph:
 * TensorFlow's own errors on the request's bytes must come back as 400 without graph internals.
 */
@QuarkusTest
@TestProfile(HostileImageBytesFuzzTest.JpegModel.class)
class HostileImageBytesFuzzTest {

    public static class JpegModel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("explain.model.dir", "src/test/resources/models/jpeg_cnn", "explain.model.name", "jpeg");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @Test
    void hostileRequestsToAModelThatDecodesImagesInItsGraph() throws Exception {
        HostileRequestFuzzTest.fuzz(base.getPort(), "jpeg", HostileRequestFuzzTest.REQUESTS);
    }
}
