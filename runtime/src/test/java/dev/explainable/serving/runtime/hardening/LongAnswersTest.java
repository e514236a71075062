package dev.explainable.serving.runtime.hardening;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.explainable.serving.runtime.testing.Management;
import dev.explainable.serving.runtime.testing.ServedModelProfile;

/**
 * The audit's false 408, reproduced as it was found (a 1 s body timeout, as with EXPLAIN_LIMITS_BODY_TIMEOUT=5s on a
 * 5 s explanation): an explanation that runs several times longer than the body timeout, whose body arrived after
 * its headers, is answered 200, well inside its deadline. Before the fix the body timer ran until the answer and cut
 * it with 408 "the request body did not arrive".
 */
@QuarkusTest
@TestProfile(LongAnswersTest.ShortBodyTimeout.class)
class LongAnswersTest {

    public static class ShortBodyTimeout extends ServedModelProfile {
        public ShortBodyTimeout() {
            super(
                    "fcn_image",
                    "fcn",
                    Map.of(
                            "explain.limits.max-batch-elements",
                            "4194304",
                            "explain.limits.body-timeout",
                            "1s",
                            "explain.limits.deadline",
                            "60s"));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void ready() throws Exception {
        long until = System.currentTimeMillis() + 120_000;
        while (true) {
            RawHttp.Response r =
                    RawHttp.send(Management.port(), RawHttp.request("GET", "/q/health/ready", null, null), 10_000);
            if (r != null && r.status() == 200) {
                return;
            }
            assertTrue(System.currentTimeMillis() < until, "model did not become ready");
            Thread.sleep(200);
        }
    }

    @Test
    void anExplanationLongerThanTheBodyTimeoutIsAnswered200() throws Exception {
        byte[] body = JSON.writeValueAsBytes(Map.of(
                "instances", List.of(Map.of("b64", Base64.getEncoder().encodeToString(Images.blackPng(1000, 1000))))));
        long start = System.nanoTime();
        String text;
        try (Socket s = new Socket("localhost", base.getPort())) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/projects/p/models/fcn:explain HTTP/1.1\r\nHost: localhost\r\n"
                            + "Content-Type: application/json\r\nContent-Length: " + body.length
                            + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(300); // the body after its headers, as over a slow network: the body timer starts
            out.write(body);
            out.flush();
            text = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertNotNull(text);
        assertTrue(text.startsWith("HTTP/1.1 200"), text.length() > 300 ? text.substring(0, 300) : text);
        assertTrue(text.contains("attributions_by_label"), "an explanation came back");
        assertTrue(seconds > 1.5, "the answer took longer than the 1 s body timeout: " + seconds + " s");
    }
}
