package dev.explainable.serving.runtime.hardening;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** PNGs written byte by byte: a black image compresses ~1000:1, and a header can claim any size. */
final class Images {

    private Images() {}

    /** A black RGB PNG of w x h, compressed at the highest level (a 10000 x 10000 one is ~300 KB). */
    static byte[] blackPng(int w, int h) {
        Deflater deflater = new Deflater(9);
        byte[] row = new byte[1 + 3 * w];
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        for (int y = 0; y < h; y++) {
            deflater.setInput(row);
            while (!deflater.needsInput()) {
                idat.write(buf, 0, deflater.deflate(buf));
            }
        }
        deflater.finish();
        while (!deflater.finished()) {
            idat.write(buf, 0, deflater.deflate(buf));
        }
        return png(w, h, idat.toByteArray());
    }

    /** A PNG whose header claims w x h and that has no pixel data at all. */
    static byte[] headerOnlyPng(int w, int h) {
        return png(w, h, null);
    }

    private static byte[] png(int w, int h, byte[] idat) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(
                out,
                "IHDR",
                ByteBuffer.allocate(13)
                        .putInt(w)
                        .putInt(h)
                        .put((byte) 8)
                        .put((byte) 2)
                        .put((byte) 0)
                        .put((byte) 0)
                        .put((byte) 0)
                        .array());
        if (idat != null) {
            chunk(out, "IDAT", idat);
        }
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
