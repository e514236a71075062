package dev.explainable.serving.runtime.batch;

import java.util.ArrayList;
import java.util.List;

/**
 * Which bytes of the input a shard owns: the input files, sorted, are one sequence of {@code T} bytes, and shard
 * {@code i} of {@code N} owns {@code [floor(i*T/N), floor((i+1)*T/N))}. Every byte is one shard's, the shards' shares
 * differ by at most one byte, and the arithmetic never overflows. Pure: no I/O.
 *
 * <p>A line belongs to the shard whose range holds its first byte (the rule of Hadoop's TextInputFormat;
 * {@link RangeLines} reads it); a file that cannot be split at byte offsets (TFRecord) belongs whole to the shard whose
 * range holds its first byte.
 */
final class ShardRanges {

    /**
     * This shard's part of one file: the lines that start at offsets {@code from <= start < to} of the file.
     * {@code to} is {@link Long#MAX_VALUE} where the shard's range reaches the file's end, so that its last lines are
     * this shard's even where the file has more bytes than listed.
     */
    record Piece(int file, String location, long from, long to) {
        /** Whether this piece begins at the file's first byte (a csv file's header line is then this shard's). */
        boolean atStart() {
            return from == 0;
        }
    }

    private ShardRanges() {}

    /** The first byte of shard {@code index}'s range, {@code floor(index * total / count)}, without overflow. */
    static long start(long total, int index, int count) {
        if (count < 1 || index < 0 || index > count || total < 0) {
            throw new IllegalArgumentException("shard " + index + " of " + count + " over " + total + " bytes");
        }
        // total = q*count + r: index*total/count = index*q + index*r/count, and index*r < count² fits a long
        long q = total / count;
        long r = total % count;
        return index * q + (index * r) / count;
    }

    /**
     * The pieces of the files of sizes {@code sizes} (in the inputs' sorted order) that shard {@code index} of
     * {@code count} reads line by line: one per file its range touches, in order. Empty files have no lines.
     */
    static List<Piece> lines(List<String> locations, List<Long> sizes, int index, int count) {
        long total = total(sizes);
        long begin = start(total, index, count);
        long end = start(total, index + 1, count);
        List<Piece> pieces = new ArrayList<>();
        long base = 0;
        for (int f = 0; f < sizes.size(); f++) {
            long size = sizes.get(f);
            long from = Math.max(begin, base) - base;
            long to = Math.min(end, base + size) - base;
            if (from < to) {
                pieces.add(new Piece(f, locations.get(f), from, to == size ? Long.MAX_VALUE : to));
            }
            base += size;
        }
        return pieces;
    }

    /**
     * The files that shard {@code index} of {@code count} reads whole: those whose first byte is in its range (empty
     * files have none, and no records either).
     */
    static List<Piece> wholeFiles(List<String> locations, List<Long> sizes, int index, int count) {
        long total = total(sizes);
        long begin = start(total, index, count);
        long end = start(total, index + 1, count);
        List<Piece> pieces = new ArrayList<>();
        long base = 0;
        for (int f = 0; f < sizes.size(); f++) {
            long size = sizes.get(f);
            if (size > 0 && base >= begin && base < end) {
                pieces.add(new Piece(f, locations.get(f), 0, Long.MAX_VALUE));
            }
            base += size;
        }
        return pieces;
    }

    private static long total(List<Long> sizes) {
        long total = 0;
        for (long s : sizes) {
            if (s < 0) {
                throw new IllegalArgumentException("a file of " + s + " bytes");
            }
            total = Math.addExact(total, s);
        }
        return total;
    }
}
