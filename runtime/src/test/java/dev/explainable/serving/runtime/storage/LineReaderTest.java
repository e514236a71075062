package dev.explainable.serving.runtime.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class LineReaderTest {

    static LineReader reader(String text, long max, long offset) {
        return new LineReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), max, offset);
    }

    static List<LineReader.Line> all(LineReader r) throws IOException {
        List<LineReader.Line> lines = new ArrayList<>();
        for (LineReader.Line l = r.next(); l != null; l = r.next()) {
            lines.add(l);
        }
        return lines;
    }

    @Test
    void eachLineCarriesItsFirstBytesOffsetCrlfAndALastLineWithoutBreak() throws IOException {
        LineReader r = reader("ab\r\n\nxyz\r\nlast", 100, 1000);
        assertEquals(1000, r.position());
        List<LineReader.Line> lines = all(r);
        assertEquals(
                List.of(
                        new LineReader.Line("ab", false, 3, 1000),
                        new LineReader.Line("", false, 0, 1004),
                        new LineReader.Line("xyz", false, 4, 1005),
                        new LineReader.Line("last", false, 4, 1010)),
                lines);
        assertEquals(1014, r.position());
        assertNull(r.next());
        assertNull(reader("", 100, 0).next());
        // a stream ending in '\n' has no empty line after it
        assertEquals(1, all(reader("one\n", 100, 0)).size());
    }

    @Test
    void aLineOverTheBoundKeepsItsFirstBytesOnlyAndTheNextLineIsWhole() throws IOException {
        String longLine = "x".repeat(300_000); // over several buffers
        List<LineReader.Line> lines = all(reader("short\n" + longLine + "\nafter\n", 1000, 0));
        assertEquals(3, lines.size());
        assertTrue(lines.get(1).tooLong());
        assertEquals(300_000, lines.get(1).bytes());
        assertEquals(6, lines.get(1).start());
        assertTrue(
                lines.get(1).text().length() <= 1000,
                "kept " + lines.get(1).text().length());
        assertEquals(new LineReader.Line("after", false, 5, 300_007), lines.get(2));
        assertFalse(lines.get(0).tooLong());
    }

    @Test
    void skipLineDiscardsThroughTheFirstBreakReadingInSmallChunks() throws IOException {
        LineReader r = reader("cut line\nnext\n", 100, 41);
        r.skipLine();
        assertEquals(50, r.position());
        assertEquals(new LineReader.Line("next", false, 4, 50), r.next());
        // a '\n' first: only it is skipped
        LineReader atBreak = reader("\nmine\n", 100, 9);
        atBreak.skipLine();
        assertEquals(new LineReader.Line("mine", false, 4, 10), atBreak.next());
        // no '\n' at all: to the end
        LineReader none = reader("no break", 100, 0);
        none.skipLine();
        assertNull(none.next());

        // a skipped line of 10 MB is never held: the stream hands out 1 KiB at a time and nothing is kept
        InputStream huge = new InputStream() {
            long left = 10_000_000;

            @Override
            public int read() {
                return left-- > 0 ? 'y' : (left == -1 ? '\n' : -1);
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left < 0) {
                    return -1;
                }
                int n = (int) Math.min(Math.min(len, 1024), left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'y');
                left -= n;
                if (n == 0) {
                    b[off] = '\n';
                    left = -1;
                    return 1;
                }
                return n;
            }
        };
        LineReader big = new LineReader(huge, 100, 0);
        big.skipLine();
        assertEquals(10_000_001, big.position());
        assertNull(big.next());
    }
}
