package dev.explainable.serving.runtime.hardening;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * jqwik generators of hostile requests: every verb and method, odd headers and content types, and bodies from
 * broken JSON to well-formed instances of the wrong shape, type, size or encoding, image bombs included.
 */
final class HostileRequests {

    /** 27 MB of pixels in ~30 KB: built once, not per generated value. */
    private static final byte[] BLACK_3000 = Images.blackPng(3000, 3000);

    private static final List<byte[]> REAL_IMAGES = realImages();
    private static final Arbitrary<String> IMAGES = images();
    private static final Arbitrary<String> VALUES = value(3);

    private HostileRequests() {}

    /** One request as bytes on the wire, and a short description for failure messages. */
    record Hostile(String description, byte[] wire) {}

    static Arbitrary<Hostile> requests(String model) {
        Arbitrary<String> method = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(30, Arbitraries.just("POST")),
                net.jqwik.api.Tuple.of(
                        1, Arbitraries.of("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "FOO", "TRACE")));
        Arbitrary<String> path = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(
                        12,
                        Arbitraries.of(":explain", ":predict", "/versions/v1:explain", "/versions/v1:predict")
                                .map(t -> "/v1/projects/p/models/" + model + t)),
                net.jqwik.api.Tuple.of(
                        1,
                        Arbitraries.of(
                                "/v1/projects/p/models/" + model + ":delete",
                                "/v1/projects/p/models/other:explain",
                                "/v1/projects/p/models/" + model + "/versions/v9:predict",
                                "/v1/projects/p/models/" + model,
                                "/v1/projects/p/models/%00:explain",
                                "/v1/projects/p/models/" + model + ":explain?x=" + "y".repeat(3000),
                                "/q/health/ready",
                                "/no/such/path",
                                "/v1/projects/p/models/" + model + "/versions/v1/../../x:explain")));
        Arbitrary<String> contentType = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(20, Arbitraries.just("application/json")),
                net.jqwik.api.Tuple.of(
                        1,
                        Arbitraries.of(
                                "text/plain",
                                "application/x-www-form-urlencoded",
                                "multipart/form-data; boundary=x",
                                "application/json; charset=utf-16",
                                "image/png",
                                "application/json; charset=nonsense",
                                "*/*",
                                "")));
        Arbitrary<String> extraHeader = Arbitraries.of(
                "",
                "Accept: text/html",
                "Accept: application/json",
                "Expect: 100-continue",
                "X-Forwarded-For: 1.2.3.4",
                "Accept-Encoding: gzip, deflate, br",
                "Origin: https://evil.example",
                "Cookie: " + "a".repeat(2000),
                "Connection: keep-alive",
                "Accept: application/xml");
        // bodies within the size limit: larger ones are refused (413) before they are read, and a client still
        // writing then may see its connection reset; HardeningTest covers that refusal by its header
        Arbitrary<String> bodies = bodies().filter(b -> b.length() < 1_400_000);
        return Combinators.combine(method, path, contentType, extraHeader, bodies)
                .as((m, p, ct, h, body) -> {
                    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                    byte[] wire = RawHttp.request(
                            m,
                            p,
                            ct.isEmpty() ? null : ct,
                            m.equals("GET") || m.equals("HEAD") ? null : bytes,
                            h.isEmpty() ? new String[0] : new String[] {h});
                    String shown =
                            body.length() > 200 ? body.substring(0, 200) + "...(" + body.length() + " chars)" : body;
                    return new Hostile(
                            m + " " + (p.length() > 120 ? p.substring(0, 120) + "..." : p) + " [" + ct + "] [" + h
                                    + "] " + shown,
                            wire);
                });
    }

    static Arbitrary<String> bodies() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(10, instancesBody()),
                net.jqwik.api.Tuple.of(2, Arbitraries.strings().ofMaxLength(300)),
                net.jqwik.api.Tuple.of(
                        1,
                        Arbitraries.of(
                                "",
                                "{}",
                                "[]",
                                "null",
                                "1",
                                "\"x\"",
                                "{\"instances\": 3}",
                                "{\"instances\": []}",
                                "{\"instances\": {}}",
                                "{\"instances\": [1], \"parameters\": 5}",
                                "{\"instances\": [1], \"instances\": [2]}",
                                "{\"instances\": [1]} trailing",
                                "{\"instances\": [1], \"parameters\": {\"visualization\": 7}}",
                                "{\"instances\": [1], \"parameters\": {\"visualization\": {\"type\": \"bogus\"}}}",
                                "{\"instances\": [1], \"parameters\": {\"visualization\": {\"clip_above_percentile\": -5}}}",
                                "\u0000\u0001\u0002",
                                "{\"instances\": [1e999999]}",
                                "{\"instances\": [-1e400]}",
                                "{\"instances\": [NaN]}",
                                "{\"instances\": [Infinity]}",
                                "{\"instances\": [" + "1".repeat(5000) + "]}",
                                "{\"instances\": [\"" + "x".repeat(100_000) + "\"]}")),
                net.jqwik.api.Tuple.of(
                        1,
                        Arbitraries.integers()
                                .between(10, 5000)
                                .map(d -> "{\"instances\": " + "[".repeat(d) + "1" + "]".repeat(d) + "}")),
                net.jqwik.api.Tuple.of(
                        1,
                        instancesBody()
                                .flatMap(b -> Arbitraries.integers()
                                        .between(1, Math.max(1, b.length() - 1))
                                        .map(cut -> b.substring(0, cut)))));
    }

    static Arbitrary<String> instancesBody() {
        Arbitrary<List<String>> instances = VALUES.list().ofMaxSize(40);
        Arbitrary<String> parameters = Arbitraries.of(
                "",
                ", \"parameters\": {}",
                ", \"parameters\": {\"visualization\": {\"type\": \"pixels\"}}",
                ", \"parameters\": {\"x\": [1,2]}");
        return Combinators.combine(instances, parameters)
                .as((list, params) -> "{\"instances\": [" + String.join(",", list) + "]" + params + "}");
    }

    /** A JSON value: leaves of every type, lists of random shape, objects of named inputs, {"b64"} bytes. */
    static Arbitrary<String> value(int depth) {
        Arbitrary<String> leaf = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.floats().between(-10, 10).map(f -> Float.toString(f))),
                net.jqwik.api.Tuple.of(
                        2,
                        Arbitraries.of(
                                "0",
                                "1",
                                "-1",
                                "1e308",
                                "-1e308",
                                "3.5e38",
                                "1e-320",
                                "9223372036854775808",
                                "-9223372036854775809",
                                "123456789012345678901234567890",
                                "2147483648",
                                "true",
                                "false",
                                "null",
                                "\"\"",
                                "\"text\"",
                                "\"\\u0000\"",
                                "{}",
                                "[]",
                                "[[]]",
                                "{\"b64\": 5}",
                                "{\"b64\": \"!!!!\"}",
                                "{\"b64\": \"QQ\"}",
                                "{\"b64\": \"A\"}",
                                "{\"b64\": \"\"}",
                                "{\"b64\": \"aGVsbG8=\", \"x\": 1}")),
                net.jqwik.api.Tuple.of(2, IMAGES),
                net.jqwik.api.Tuple.of(
                        1, Arbitraries.strings().alpha().ofMaxLength(12).map(k -> "{\"" + k + "\": 1}")));
        if (depth == 0) {
            return leaf;
        }
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, leaf),
                net.jqwik.api.Tuple.of(
                        2,
                        Arbitraries.lazy(() -> value(depth - 1))
                                .list()
                                .ofMaxSize(5)
                                .map(l -> "[" + String.join(",", l) + "]")),
                net.jqwik.api.Tuple.of(
                        1,
                        Arbitraries.lazy(() -> value(depth - 1))
                                .list()
                                .ofMinSize(4)
                                .ofMaxSize(4)
                                .map(l -> "[" + String.join(",", l) + "]")),
                net.jqwik.api.Tuple.of(
                        1,
                        Combinators.combine(
                                        Arbitraries.of("image", "x", "input", "probs", "b64"),
                                        Arbitraries.lazy(() -> value(depth - 1)))
                                .as((k, v) -> "{\"" + k + "\": " + v + "}")));
    }

    /** {"b64": ...} of small real images, bombs by header, truncated and foreign bytes. */
    static Arbitrary<String> images() {
        Arbitrary<byte[]> bytes = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.of(REAL_IMAGES)),
                net.jqwik.api.Tuple.of(
                        2,
                        Combinators.combine(
                                        Arbitraries.integers().between(1, 70_000),
                                        Arbitraries.integers().between(1, 70_000))
                                .as(Images::headerOnlyPng)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(BLACK_3000)),
                net.jqwik.api.Tuple.of(
                        1, Arbitraries.of(REAL_IMAGES).map(b -> java.util.Arrays.copyOf(b, b.length / 2))),
                net.jqwik.api.Tuple.of(
                        1, Arbitraries.bytes().array(byte[].class).ofMaxSize(200)),
                net.jqwik.api.Tuple.of(
                        1,
                        Arbitraries.of(
                                new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff},
                                new byte[] {(byte) 0x89, 'P', 'N', 'G'},
                                new byte[0])));
        return bytes.map(b -> "{\"b64\": \"" + Base64.getEncoder().encodeToString(b) + "\"}");
    }

    /** Real JPEGs and PNGs from 1 x 1 to 40 x 33, encoded once. */
    private static List<byte[]> realImages() {
        List<byte[]> images = new java.util.ArrayList<>();
        for (int[] size : new int[][] {{1, 1}, {2, 3}, {8, 8}, {16, 9}, {32, 32}, {40, 33}, {5, 40}}) {
            images.add(encoded(size[0], size[1], "png"));
            images.add(encoded(size[0], size[1], "jpeg"));
        }
        return images;
    }

    private static byte[] encoded(int w, int h, String format) {
        java.awt.image.BufferedImage img =
                new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x * 37 + y * 91) * 0x010101 & 0xffffff);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, format, out);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }
}
