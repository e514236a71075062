package dev.explainable.serving.runtime.batch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Lines of a stream, read as they come, each bounded: a line longer than {@code maxBytes} is skipped to its end and
 * handed over as {@link Line#tooLong} with its first bytes, so no line costs more memory than the bound.
 */
final class LineReader {

    /** One line: its text without the line break (the first bytes only when too long). */
    record Line(String text, boolean tooLong, long bytes) {}

    private static final int BUFFER = 64 * 1024;
    private static final int KEPT_OF_LONG = 200;

    private final InputStream in;
    private final long maxBytes;
    private final byte[] buffer = new byte[BUFFER];
    private int pos;
    private int end;

    LineReader(InputStream in, long maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /** The next line, or null at the end of the stream. */
    Line next() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        long length = 0;
        boolean any = false;
        while (true) {
            if (pos == end) {
                end = in.read(buffer);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    return any ? done(line, length) : null;
                }
            }
            any = true;
            int start = pos;
            while (pos < end && buffer[pos] != '\n') {
                pos++;
            }
            int n = pos - start;
            if (length + n <= maxBytes) {
                line.write(buffer, start, n);
            } else if (line.size() < KEPT_OF_LONG) {
                line.write(buffer, start, (int) Math.min(n, KEPT_OF_LONG - line.size()));
            }
            length += n;
            if (pos < end) {
                pos++; // the '\n'
                return done(line, length);
            }
        }
    }

    private Line done(ByteArrayOutputStream line, long length) {
        String text = line.toString(StandardCharsets.UTF_8);
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        return new Line(text, length > maxBytes, length);
    }
}
