package dev.explainable.serving.runtime.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Lines of a stream, read as they come, each bounded: a line longer than {@code maxBytes} is skipped to its end and
 * handed over as {@link Line#tooLong} with its first bytes, so no line costs more memory than the bound. Each line
 * carries the offset of its first byte in the file, the stream starting at a given offset of it.
 */
public final class LineReader {

    /**
     * One line: its text without the line break (the first bytes only when too long), the offset of its first byte
     * in the file, and its length in bytes without the '\n'.
     */
    public record Line(String text, boolean tooLong, long bytes, long start) {}

    private static final int BUFFER = 64 * 1024;
    private static final int KEPT_OF_LONG = 200;

    private final InputStream in;
    private final long maxBytes;
    private final byte[] buffer = new byte[BUFFER];
    private int pos;
    private int end;
    /** The file's offset of {@code buffer[pos]}: where the next line starts. */
    private long offset;

    /** Lines of {@code in}, whose first byte is at {@code offset} of the file. */
    public LineReader(InputStream in, long maxBytes, long offset) {
        this.in = in;
        this.maxBytes = maxBytes;
        this.offset = offset;
    }

    public LineReader(InputStream in, long maxBytes) {
        this(in, maxBytes, 0);
    }

    /** The file's offset of the next byte to read: the next line's start. */
    public long position() {
        return offset;
    }

    /** The next line, or null at the end of the stream. */
    public Line next() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        long start = offset;
        long length = 0;
        boolean any = false;
        while (true) {
            if (!fill()) {
                return any ? done(line, length, start) : null;
            }
            any = true;
            int from = pos;
            int n = scan();
            if (length + n <= maxBytes) {
                line.write(buffer, from, n);
            } else if (line.size() < KEPT_OF_LONG) {
                line.write(buffer, from, (int) Math.min(n, KEPT_OF_LONG - line.size()));
            }
            length += n;
            if (pos < end) {
                take(1); // the '\n'
                return done(line, length, start);
            }
        }
    }

    /**
     * Skips through the next '\n' (or to the end of the stream), keeping nothing of what it skips: the partial line
     * in front of a shard's range.
     */
    public void skipLine() throws IOException {
        while (fill()) {
            scan();
            if (pos < end) {
                take(1);
                return;
            }
        }
    }

    /** Whether there are bytes to read in the buffer, reading more where it is used up. */
    private boolean fill() throws IOException {
        if (pos < end) {
            return true;
        }
        int n = in.read(buffer);
        pos = 0;
        end = Math.max(n, 0);
        return n > 0;
    }

    /** Moves over the buffer's bytes up to the next '\n' (not over it); returns how many. */
    private int scan() {
        int from = pos;
        while (pos < end && buffer[pos] != '\n') {
            pos++;
        }
        offset += pos - from;
        return pos - from;
    }

    private void take(int n) {
        pos += n;
        offset += n;
    }

    private Line done(ByteArrayOutputStream line, long length, long start) {
        String text = line.toString(StandardCharsets.UTF_8);
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        return new Line(text, length > maxBytes, length, start);
    }
}
