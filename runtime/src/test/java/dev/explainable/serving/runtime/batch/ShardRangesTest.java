package dev.explainable.serving.runtime.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ShardRangesTest {

    static final List<String> NAMES = List.of("a", "b", "c", "d", "e");

    static long floor(long i, long total, long count) {
        return BigInteger.valueOf(i)
                .multiply(BigInteger.valueOf(total))
                .divide(BigInteger.valueOf(count))
                .longValueExact();
    }

    @Test
    void theRangesAreFloorOfIndexTimesTotalOverCountWithoutOverflow() {
        long[] totals = {0, 1, 7, 100, 1_000_003, Long.MAX_VALUE / 3, Long.MAX_VALUE};
        int[] counts = {1, 2, 3, 7, 100, 99_999};
        for (long total : totals) {
            for (int count : counts) {
                for (int i : new int[] {0, 1, count / 2, count - 1, count}) {
                    if (i > count) {
                        continue;
                    }
                    assertEquals(floor(i, total, count), ShardRanges.start(total, i, count), i + "/" + count);
                }
                assertEquals(0, ShardRanges.start(total, 0, count));
                assertEquals(total, ShardRanges.start(total, count, count));
            }
        }
    }

    @Test
    void everyByteOfEveryFileIsInExactlyOnePieceAndPiecesFollowTheRanges() {
        List<Long> sizes = List.of(10L, 0L, 1L, 25L, 4L);
        long total = 40;
        for (int count = 1; count <= 45; count++) {
            int[] owner = new int[(int) total];
            java.util.Arrays.fill(owner, -1);
            for (int i = 0; i < count; i++) {
                long base = 0;
                int f = 0;
                List<Long> bases = new ArrayList<>();
                for (long s : sizes) {
                    bases.add(base);
                    base += s;
                }
                for (ShardRanges.Piece p : ShardRanges.lines(NAMES, sizes, i, count)) {
                    assertTrue(p.file() >= f, "in file order");
                    f = p.file();
                    assertEquals(NAMES.get(p.file()), p.location());
                    long size = sizes.get(p.file());
                    long to = p.to() == Long.MAX_VALUE ? size : p.to();
                    assertTrue(p.from() < to && to <= size, p.toString());
                    // the piece ends at its file's end exactly where the range does: then it reads to the end
                    assertEquals(to == size, p.to() == Long.MAX_VALUE, p.toString());
                    for (long b = p.from(); b < to; b++) {
                        int global = (int) (bases.get(p.file()) + b);
                        assertEquals(-1, owner[global], "byte " + global + " twice");
                        owner[global] = i;
                        assertTrue(
                                floor(i, total, count) <= global && global < floor(i + 1, total, count),
                                "byte " + global + " in shard " + i + " of " + count);
                    }
                }
            }
            for (int b = 0; b < total; b++) {
                assertTrue(owner[b] >= 0, "byte " + b + " of no shard, " + count + " shards");
            }
        }
    }

    @Test
    void aShardTouchingAFileMidWayGetsThePieceFromThere() {
        // files a [0, 10), b empty, c [10, 11), d [11, 36), e [36, 40); 4 shards of 10 bytes
        List<Long> sizes = List.of(10L, 0L, 1L, 25L, 4L);
        assertEquals(List.of(new ShardRanges.Piece(0, "a", 0, Long.MAX_VALUE)), ShardRanges.lines(NAMES, sizes, 0, 4));
        assertEquals(
                List.of(new ShardRanges.Piece(2, "c", 0, Long.MAX_VALUE), new ShardRanges.Piece(3, "d", 0, 9)),
                ShardRanges.lines(NAMES, sizes, 1, 4));
        assertEquals(List.of(new ShardRanges.Piece(3, "d", 9, 19)), ShardRanges.lines(NAMES, sizes, 2, 4));
        assertEquals(
                List.of(
                        new ShardRanges.Piece(3, "d", 19, Long.MAX_VALUE),
                        new ShardRanges.Piece(4, "e", 0, Long.MAX_VALUE)),
                ShardRanges.lines(NAMES, sizes, 3, 4));
        // more shards than bytes: most own nothing
        assertEquals(List.of(), ShardRanges.lines(List.of("x"), List.of(2L), 0, 5));
        assertEquals(List.of(), ShardRanges.lines(List.of("x"), List.of(0L), 0, 1));
    }

    @Test
    void wholeFilesBelongToTheShardWhoseRangeHoldsTheirFirstByte() {
        List<Long> sizes = List.of(10L, 0L, 1L, 25L, 4L); // first bytes at 0, -, 10, 11, 36
        for (int count = 1; count <= 45; count++) {
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                for (ShardRanges.Piece p : ShardRanges.wholeFiles(NAMES, sizes, i, count)) {
                    assertEquals(0, p.from());
                    assertEquals(Long.MAX_VALUE, p.to());
                    seen.add(p.location());
                }
            }
            assertEquals(List.of("a", "c", "d", "e"), seen, count + " shards");
        }
        assertEquals(List.of("a"), names(ShardRanges.wholeFiles(NAMES, sizes, 0, 4)));
        assertEquals(List.of("c", "d"), names(ShardRanges.wholeFiles(NAMES, sizes, 1, 4)));
        assertEquals(List.of(), names(ShardRanges.wholeFiles(NAMES, sizes, 2, 4)));
        assertEquals(List.of("e"), names(ShardRanges.wholeFiles(NAMES, sizes, 3, 4)));
    }

    static List<String> names(List<ShardRanges.Piece> pieces) {
        return pieces.stream().map(ShardRanges.Piece::location).toList();
    }
}
