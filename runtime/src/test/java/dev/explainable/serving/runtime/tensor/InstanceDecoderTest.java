package dev.explainable.serving.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.explainable.serving.runtime.work.InvalidInstanceException;
import dev.explainable.serving.runtime.work.LimitExceededException;

/** Every instance form the API accepts (docs/api.md, Instances), decoded without TensorFlow. */
class InstanceDecoderTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    static TensorSpec spec(String key, DType t, long... shape) {
        return new TensorSpec(key, key + ":0", t, shape);
    }

    @Test
    void scalarsListsAndTensors() throws Exception {
        InstanceDecoder scalar = new InstanceDecoder(List.of(spec("x", DType.FLOAT)), Map.of());
        HostTensor s = scalar.decode(json("2.5"), 0).get("x");
        assertArrayEquals(new long[0], s.shape());
        assertArrayEquals(new float[] {2.5f}, s.floats());

        InstanceDecoder ints = new InstanceDecoder(List.of(spec("x", DType.INT64, 3)), Map.of());
        assertArrayEquals(new long[] {0, 1, 2}, (long[])
                ints.decode(json("[0, 1, 2]"), 0).get("x").data());

        InstanceDecoder tensor = new InstanceDecoder(List.of(spec("x", DType.FLOAT, 2, -1)), Map.of());
        HostTensor t = tensor.decode(json("[[0, 1, 2], [3, 4, 5]]"), 0).get("x");
        assertArrayEquals(new long[] {2, 3}, t.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, t.floats());

        InstanceDecoder bools = new InstanceDecoder(List.of(spec("x", DType.FLOAT, 2)), Map.of());
        assertArrayEquals(
                new float[] {1, 0},
                bools.decode(json("[true, false]"), 0).get("x").floats());
    }

    @Test
    void stringsTextAndB64() throws Exception {
        InstanceDecoder d = new InstanceDecoder(List.of(spec("s", DType.STRING)), Map.of());
        assertEquals(
                "the quick brown fox",
                new String(((byte[][]) d.decode(json("\"the quick brown fox\""), 0)
                                .get("s")
                                .data())
                        [0]));
        byte[] raw = {0, (byte) 0xff, 10, 42};
        String b64 = Base64.getEncoder().encodeToString(raw);
        assertArrayEquals(
                raw,
                ((byte[][]) d.decode(json("{\"b64\": \"" + b64 + "\"}"), 0)
                                .get("s")
                                .data())
                        [0]);
        InstanceDecoder words = new InstanceDecoder(List.of(spec("s", DType.STRING, -1)), Map.of());
        assertEquals(
                3,
                words.decode(json("[\"the\", \"lazy\", \"dog\"]"), 0).get("s").size());
    }

    @Test
    void namedInputsAndAliases() throws Exception {
        InstanceDecoder d = new InstanceDecoder(
                List.of(spec("tag", DType.STRING), spec("image", DType.FLOAT, 1, 2, 3)), Map.of("picture", "image"));
        Map<String, HostTensor> v =
                d.decode(json("{\"tag\": \"beach\", \"picture\": [[[138, 30, 66], [130, 20, 56]]]}"), 3);
        assertArrayEquals(new long[] {1, 2, 3}, v.get("image").shape());
        assertEquals(138f, v.get("image").floats()[0]);
        InvalidInstanceException e =
                assertThrows(InvalidInstanceException.class, () -> d.decode(json("{\"tag\": \"x\"}"), 3));
        assertEquals("instance 3: missing input(s) [image]", e.getMessage());
        e = assertThrows(InvalidInstanceException.class, () -> d.decode(json("[1, 2]"), 0));
        assertTrue(e.getMessage().contains("several inputs"));
    }

    @Test
    void b64JpegAndPngBecomeFloatImagesInUnitRange() throws Exception {
        BufferedImage img = new BufferedImage(8, 6, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xff0000);
        img.setRGB(7, 5, 0x0000ff);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        String instance = "{\"b64\": \"" + Base64.getEncoder().encodeToString(png.toByteArray()) + "\"}";
        InstanceDecoder d = new InstanceDecoder(List.of(spec("image", DType.FLOAT, 6, 8, 3)), Map.of());
        HostTensor t = d.decode(json(instance), 0).get("image");
        assertArrayEquals(new long[] {6, 8, 3}, t.shape());
        assertArrayEquals(new float[] {1, 0, 0}, java.util.Arrays.copyOfRange(t.floats(), 0, 3));
        assertArrayEquals(new float[] {0, 0, 1}, java.util.Arrays.copyOfRange(t.floats(), t.size() - 3, t.size()));
        // a fixed-size input gets a resized image
        InstanceDecoder small = new InstanceDecoder(List.of(spec("image", DType.FLOAT, 3, 4, 3)), Map.of());
        assertArrayEquals(
                new long[] {3, 4, 3},
                small.decode(json(instance), 0).get("image").shape());
        InvalidInstanceException e = assertThrows(
                InvalidInstanceException.class,
                () -> d.decode(
                        json("{\"b64\": \"" + Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}) + "\"}"), 0));
        assertTrue(e.getMessage().contains("not a JPEG or PNG"), e.getMessage());
    }

    @Test
    void badValuesAreClearErrors() throws Exception {
        InstanceDecoder d = new InstanceDecoder(List.of(spec("x", DType.FLOAT, 2, 2)), Map.of());
        assertTrue(assertThrows(InvalidInstanceException.class, () -> d.decode(json("[[1, 2], [3]]"), 0))
                .getMessage()
                .contains("ragged"));
        assertTrue(assertThrows(InvalidInstanceException.class, () -> d.decode(json("[[1, 2], [3, 1e39]]"), 0))
                .getMessage()
                .contains("out of float32 range"));
        InstanceDecoder ints = new InstanceDecoder(List.of(spec("x", DType.INT32)), Map.of());
        assertTrue(assertThrows(InvalidInstanceException.class, () -> ints.decode(json("1.5"), 0))
                .getMessage()
                .contains("integer"));
        assertTrue(assertThrows(InvalidInstanceException.class, () -> ints.decode(json("9999999999"), 0))
                .getMessage()
                .contains("int32"));
        InstanceDecoder s = new InstanceDecoder(List.of(spec("s", DType.STRING)), Map.of());
        assertTrue(assertThrows(InvalidInstanceException.class, () -> s.decode(json("{\"b64\": \"ab$d\"}"), 0))
                .getMessage()
                .contains("invalid base64"));
        assertTrue(assertThrows(InvalidInstanceException.class, () -> s.decode(json("{\"b64\": \"abcde\"}"), 0))
                .getMessage()
                .contains("invalid base64"));
    }

    /** A free-size instance larger than one model run is refused as it is decoded, not held until the first run. */
    @Test
    void anInstanceLargerThanOneRunIsRefusedWhenDecoded() throws Exception {
        InstanceDecoder d = new InstanceDecoder(List.of(spec("x", DType.FLOAT, -1)), Map.of(), 4_194_304L, 4096, 6);
        assertEquals(6, d.decode(json("[1, 2, 3, 4, 5, 6]"), 0).get("x").size());
        LimitExceededException e =
                assertThrows(LimitExceededException.class, () -> d.decode(json("[1, 2, 3, 4, 5, 6, 7]"), 3));
        assertTrue(
                e.getMessage().startsWith("instance 3 has 7 input values")
                        && e.getMessage().contains("explain.limits.max-batch-elements"),
                e.getMessage());
    }

    @Test
    void stackAndItemRoundTrip() {
        HostTensor a = HostTensor.floats(new long[] {2}, new float[] {1, 2});
        HostTensor b = HostTensor.floats(new long[] {2}, new float[] {3, 4});
        HostTensor s = HostTensor.stack(List.of(a, b));
        assertArrayEquals(new long[] {2, 2}, s.shape());
        assertArrayEquals(new float[] {3, 4}, s.item(1).floats());
        assertEquals(List.of(List.of(1.0, 2.0), List.of(3.0, 4.0)), s.toJson());
        assertThrows(
                IllegalArgumentException.class,
                () -> HostTensor.stack(List.of(a, HostTensor.floats(new long[] {1}, new float[] {1}))));
    }
}
