package dev.explainable.serving.runtime.batch;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32C;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The records of a TFRecord file, read as they come, each bounded. A record is framed as TensorFlow writes it: its
 * length (uint64, little-endian), the masked CRC32C of those 8 bytes (uint32), the data, the masked CRC32C of the
 * data; masked is {@code ((crc >>> 15) | (crc << 17)) + 0xa282ead8}. With {@code gzip} the whole file is one gzip
 * stream (TensorFlow's {@code compression_type="GZIP"}), read through {@link GZIPInputStream}; offsets are then
 * those of the uncompressed bytes.
 *
 * <p>A record longer than {@code maxBytes} is skipped without being held and handed over with its problem, as is one
 * whose data does not have its CRC: either is one bad record, and the next record's framing is where it should be.
 * A length whose CRC is wrong, a file that ends inside a record, or a gzip stream that cannot be inflated means
 * the framing cannot be trusted from there on: {@link Broken}, and the rest of the file is not read.
 */
final class TfRecordReader {

    /** One record: the offset of its framing in the file; its data, or (data null) why it is no instance. */
    record Record(long offset, byte[] data, String problem) {}

    /** The file's framing cannot be trusted from {@link #offset} on. */
    static final class Broken extends Exception {
        private final long offset;

        Broken(long offset, String message) {
            super(message);
            this.offset = offset;
        }

        long offset() {
            return offset;
        }
    }

    private static final int MASK_DELTA = 0xa282ead8;
    private static final int SKIP_BUFFER = 64 * 1024;

    private final InputStream raw;
    private final boolean gzip;
    private final long maxBytes;
    private InputStream in;
    /** Offset of the next byte in the (uncompressed) file. */
    private long position;

    TfRecordReader(InputStream in, boolean gzip, long maxBytes) {
        this.raw = in;
        this.gzip = gzip;
        this.maxBytes = maxBytes;
    }

    /** The next record, or null at the file's end (at a record's boundary). */
    Record next() throws IOException, Broken {
        long offset = position;
        try {
            if (in == null) {
                // a file that is not gzip at all fails here, as a broken framing at byte 0
                in = gzip ? new GZIPInputStream(raw, SKIP_BUFFER) : raw;
            }
            byte[] header = read(12);
            if (header.length == 0) {
                return null;
            }
            if (header.length < 12) {
                throw truncated(offset);
            }
            long length = littleEndian(header, 0, 8);
            int lengthCrc = (int) littleEndian(header, 8, 4);
            if (masked(header, 0, 8) != lengthCrc) {
                throw new Broken(offset, "the record's length has a wrong CRC");
            }
            if (length < 0) { // over 2^63: no file holds it
                throw truncated(offset);
            }
            if (length > maxBytes || length > Integer.MAX_VALUE - 8) {
                skip(length, offset);
                if (read(4).length < 4) {
                    throw truncated(offset);
                }
                return new Record(
                        offset,
                        null,
                        "has " + length + " bytes, more than explain.max-request-bytes (" + maxBytes + ")");
            }
            byte[] data = read((int) length);
            byte[] dataCrc = read(4);
            if (data.length < length || dataCrc.length < 4) {
                throw truncated(offset);
            }
            if (masked(data, 0, data.length) != (int) littleEndian(dataCrc, 0, 4)) {
                return new Record(offset, null, "has a wrong CRC of its data");
            }
            return new Record(offset, data, null);
        } catch (ZipException | EOFException e) {
            if (!gzip) {
                throw e; // not the file's own: the storage stream's
            }
            throw new Broken(position, "the gzip stream cannot be inflated: " + e.getMessage());
        }
    }

    /** TensorFlow's masked CRC32C of {@code b[off, off + len)}. */
    static int masked(byte[] b, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(b, off, len);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    private byte[] read(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        position += b.length;
        return b;
    }

    /** Skips {@code n} bytes, reading them through a small buffer (a gzip stream must inflate them anyway). */
    private void skip(long n, long offset) throws IOException, Broken {
        byte[] buffer = new byte[SKIP_BUFFER];
        long left = n;
        while (left > 0) {
            int r = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (r < 0) {
                throw truncated(offset);
            }
            left -= r;
            position += r;
        }
    }

    private static long littleEndian(byte[] b, int off, int len) {
        long v = 0;
        for (int i = len - 1; i >= 0; i--) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    private static Broken truncated(long offset) {
        return new Broken(offset, "the file ends inside the record");
    }
}
