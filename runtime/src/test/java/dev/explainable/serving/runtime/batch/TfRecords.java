package dev.explainable.serving.runtime.batch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.GZIPOutputStream;

/**
 * TFRecord files as TensorFlow frames them, written by the tests (TfRecordReaderTest checks that this writes, byte for
 * byte, the file TensorFlow wrote from the same records: runtime/src/test/resources/batch/images.tfrecord), so
 * that they can also write the broken files TensorFlow never writes.
 */
final class TfRecords {

    static final Path FIXTURES = Path.of("src/test/resources/batch");

    private TfRecords() {}

    /** The records of the committed fixtures, in order: sample.jpg, gradient.jpg, "not an image". */
    static List<byte[]> fixtureRecords() {
        try {
            return List.of(
                    Files.readAllBytes(dev.explainable.serving.runtime.TestModels.dir("jpeg_cnn")
                            .resolve("sample.jpg")),
                    Files.readAllBytes(FIXTURES.resolve("gradient.jpg")),
                    "not an image".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One record's framing around {@code data}. */
    static byte[] frame(byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(16 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        byte[] length = ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(data.length)
                .array();
        b.put(length).putInt(masked(length)).put(data).putInt(masked(data));
        return b.array();
    }

    static byte[] file(List<byte[]> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] r : records) {
            out.writeBytes(frame(r));
        }
        return out.toByteArray();
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The masked CRC32C, computed here on its own (not with the reader's). */
    static int masked(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        int c = (int) crc.getValue();
        return Integer.rotateRight(c, 15) + 0xa282ead8;
    }
}
