package dev.explainable.serving.runtime.batch;

import java.io.IOException;
import java.io.InputStream;

import dev.explainable.serving.runtime.storage.LineReader;
import dev.explainable.serving.runtime.storage.ObjectFiles;

/**
 * The lines of one file that a shard owns ({@link ShardRanges.Piece}), by the rule of Hadoop's TextInputFormat: a
 * line is the shard's whose range holds the line's first byte. A piece starting at offset {@code from > 0} is read
 * from {@code from - 1}, through the first '\n' discarded (the line it cuts, or the '\n' right before it, is an
 * earlier shard's); then every line that starts before the piece's end, the last one to its own end even past it.
 * Only the piece's bytes are asked of the store (a ranged read), plus the rest of the last line and what the reads
 * buffer beyond it.
 */
final class RangeLines implements AutoCloseable {

    private final InputStream in;
    private final LineReader lines;
    private final long to;

    RangeLines(ObjectFiles files, ShardRanges.Piece piece, long maxLineBytes) throws IOException {
        long openAt = piece.atStart() ? 0 : piece.from() - 1;
        this.in = files.open(piece.location(), openAt);
        this.to = piece.to();
        this.lines = new LineReader(in, maxLineBytes, openAt);
        try {
            if (!piece.atStart()) {
                lines.skipLine();
            }
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** The piece's next line (one starting before its end), or null after its last. */
    LineReader.Line next() throws IOException {
        return lines.position() < to ? lines.next() : null;
    }

    /** The first line of the file at {@code location} (a csv header), read alone and bounded; null for an empty file. */
    static LineReader.Line firstLine(ObjectFiles files, String location, long maxLineBytes) throws IOException {
        try (InputStream first = files.open(location, 0)) {
            return new LineReader(first, maxLineBytes, 0).next();
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
