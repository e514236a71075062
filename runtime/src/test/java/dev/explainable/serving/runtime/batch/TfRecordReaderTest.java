package dev.explainable.serving.runtime.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The TFRecord reader on files TensorFlow 2.18 wrote (tools/make-batch-fixtures.py: images.tfrecord and
 * images.tfrecord.gz), and on broken ones the tests' own writer makes (itself checked against TensorFlow's file).
 */
class TfRecordReaderTest {

    static List<TfRecordReader.Record> all(byte[] file, boolean gzip, long max) throws Exception {
        TfRecordReader r = new TfRecordReader(new ByteArrayInputStream(file), gzip, max);
        List<TfRecordReader.Record> records = new ArrayList<>();
        for (TfRecordReader.Record x = r.next(); x != null; x = r.next()) {
            records.add(x);
        }
        return records;
    }

    @Test
    void readsTheRecordsTensorFlowWroteAndTheTestWriterFramesThemAlike() throws Exception {
        List<byte[]> expected = TfRecords.fixtureRecords();
        byte[] plain = Files.readAllBytes(TfRecords.FIXTURES.resolve("images.tfrecord"));
        byte[] gzip = Files.readAllBytes(TfRecords.FIXTURES.resolve("images.tfrecord.gz"));
        assertArrayEquals(plain, TfRecords.file(expected), "the tests' writer frames as TensorFlow does");
        for (var read : List.of(all(plain, false, 1 << 20), all(gzip, true, 1 << 20))) {
            assertEquals(3, read.size());
            long offset = 0;
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(expected.get(i), read.get(i).data());
                assertNull(read.get(i).problem());
                assertEquals(offset, read.get(i).offset());
                offset += 16 + expected.get(i).length;
            }
        }
        assertEquals(List.of(), all(new byte[0], false, 100));
    }

    @Test
    void aRecordOverTheBoundOrWithAWrongDataCrcIsOneBadRecordAndReadingGoesOn() throws Exception {
        byte[] big = new byte[300_000];
        Arrays.fill(big, (byte) 7);
        byte[] bad = TfRecords.frame("flipped".getBytes());
        bad[12] ^= 1; // a data byte: its CRC no longer matches
        byte[] file =
                concat(TfRecords.frame("a".getBytes()), TfRecords.frame(big), bad, TfRecords.frame("b".getBytes()));
        for (boolean gzip : new boolean[] {false, true}) {
            List<TfRecordReader.Record> read = all(gzip ? TfRecords.gzip(file) : file, gzip, 1000);
            assertEquals(4, read.size());
            assertArrayEquals("a".getBytes(), read.get(0).data());
            assertNull(read.get(1).data());
            assertEquals(17, read.get(1).offset());
            assertEquals(
                    "has 300000 bytes, more than explain.max-request-bytes (1000)",
                    read.get(1).problem());
            assertNull(read.get(2).data());
            assertEquals(17 + 300_016, read.get(2).offset());
            assertEquals("has a wrong CRC of its data", read.get(2).problem());
            assertArrayEquals("b".getBytes(), read.get(3).data());
        }
    }

    @Test
    void aWrongLengthCrcOrATruncatedFileBreaksTheFramingAtItsOffset() throws Exception {
        byte[] good = TfRecords.frame("good".getBytes());
        byte[] wrongLength = TfRecords.frame("next".getBytes());
        wrongLength[0] ^= 4; // the length, no longer its CRC's
        assertBroken(concat(good, wrongLength, good), false, 20, "the record's length has a wrong CRC");
        byte[] whole = concat(good, good);
        for (int cut : new int[] {21, 27, 28, 35, whole.length - 1}) {
            assertBroken(Arrays.copyOf(whole, cut), false, 20, "the file ends inside the record");
        }
        // a length that no file holds, its CRC right
        byte[] huge = new byte[12];
        java.nio.ByteBuffer.wrap(huge).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE - 1);
        int crc = TfRecords.masked(Arrays.copyOf(huge, 8));
        java.nio.ByteBuffer.wrap(huge, 8, 4)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt(crc);
        assertBroken(concat(good, huge), false, 20, "the file ends inside the record");

        byte[] gzip = TfRecords.gzip(whole);
        TfRecordReader truncated =
                new TfRecordReader(new ByteArrayInputStream(Arrays.copyOf(gzip, gzip.length - 12)), true, 100);
        // the first record may still come out whole; then the stream cannot be inflated further
        TfRecordReader.Broken e = assertThrows(TfRecordReader.Broken.class, () -> {
            while (truncated.next() != null) {
                // read on
            }
        });
        assertTrue(e.getMessage().startsWith("the gzip stream cannot be inflated"), e.getMessage());
        TfRecordReader notGzip = new TfRecordReader(new ByteArrayInputStream(whole), true, 100);
        TfRecordReader.Broken e2 = assertThrows(TfRecordReader.Broken.class, notGzip::next);
        assertEquals(0, e2.offset());
    }

    static void assertBroken(byte[] file, boolean gzip, long offset, String message) throws Exception {
        TfRecordReader r = new TfRecordReader(new ByteArrayInputStream(file), gzip, 1000);
        assertArrayEquals("good".getBytes(), r.next().data());
        TfRecordReader.Broken e = assertThrows(TfRecordReader.Broken.class, r::next);
        assertEquals(offset, e.offset());
        assertEquals(message, e.getMessage());
    }

    static byte[] concat(byte[]... parts) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p);
        }
        return out.toByteArray();
    }
}
