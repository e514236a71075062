package dev.explainable.serving.runtime.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class ExampleSetBuilderTest {

    private static SearchSettings settings(int maxExamples, long maxBytes, long maxKept) {
        return new SearchSettings(Distance.SQUARED_L2, false, 2000, 16, 100, 100, maxExamples, maxBytes, maxKept);
    }

    private static ExampleLines.Example example(String id, int line) {
        return ExampleLines.parse("{\"id\": \"" + id + "\", \"x\": [" + line + "]}", "set.jsonl", line);
    }

    @Test
    void neighboursCarryTheExamplesIdsAndLinesAreKept() {
        ExampleSetBuilder b = new ExampleSetBuilder(settings(10, 1 << 20, 1 << 20));
        b.add(example("far", 1), new float[] {10, 0});
        b.add(example("near", 2), new float[] {1, 0});
        ExampleSet set = b.build();
        assertEquals(
                List.of(new Neighbor("near", 1.0), new Neighbor("far", 100.0)), set.neighbors(new float[] {0, 0}, 5));
        assertEquals("{\"id\": \"near\", \"x\": [2]}", set.line("near"));
        assertNull(set.line("nobody"));
        assertEquals(2, set.report().examples());
        assertEquals("exact", set.report().search());
        // the embeddings, each kept line as a Java string costs (40 bytes and 2 a character), and the ids
        long lines =
                40 + 2 * "{\"id\": \"far\", \"x\": [1]}".length() + 40 + 2 * "{\"id\": \"near\", \"x\": [2]}".length();
        long ids = 2 * ExampleSetBuilder.ID_OVERHEAD + 2 * "far".length() + 2 * "near".length();
        assertEquals(2 * 2 * Float.BYTES + lines + ids, set.report().bytes());
    }

    @Test
    void aSecondIdAnEmbeddingOfAnotherSizeAndNonFiniteValuesAreBadLines() {
        ExampleSetBuilder b = new ExampleSetBuilder(settings(10, 1 << 20, 1 << 20));
        b.add(example("a", 1), new float[] {1, 2});
        b.add(example("a", 2), new float[] {3, 4});
        b.add(example("b", 3), new float[] {1, 2, 3});
        b.add(example("c", 4), new float[] {Float.NaN, 0});
        ExampleSet set = b.build();
        assertEquals(1, set.size());
        assertEquals(3, set.report().badLines());
        List<String> reasons =
                set.report().firstBadLines().stream().map(BadLine::toString).toList();
        assertEquals(
                List.of(
                        "set.jsonl:2: id 'a' is given twice",
                        "set.jsonl:3: its embedding has 3 values, the set's have 2",
                        "set.jsonl:4: its embedding is not finite"),
                reasons);
    }

    @Test
    void onlyTheFirstBadLinesAreKeptButAllAreCounted() {
        ExampleSetBuilder b = new ExampleSetBuilder(settings(10, 1 << 20, 1 << 20));
        for (int i = 0; i < 100; i++) {
            b.bad(new BadLine("f", i, "bad"));
        }
        b.add(example("a", 101), new float[] {1});
        ExampleSet.Report r = b.build().report();
        assertEquals(100, r.badLines());
        assertEquals(ExampleSetBuilder.KEPT_BAD, r.firstBadLines().size());
    }

    @Test
    void moreExamplesThanTheBoundFailNamingTheSetting() {
        ExampleSetBuilder b = new ExampleSetBuilder(settings(2, 1 << 20, 1 << 20));
        b.add(example("a", 1), new float[] {1});
        b.add(example("b", 2), new float[] {1});
        ExampleSetException e = assertThrows(ExampleSetException.class, () -> b.add(example("c", 3), new float[] {1}));
        assertTrue(e.getMessage().contains("explain.examples.max-examples"), e.getMessage());
    }

    @Test
    void moreBytesThanTheBoundFailAsTheyCome() {
        // 1,000 values an example: 4,000 bytes each, the bound at 10,000
        ExampleSetBuilder b = new ExampleSetBuilder(settings(100, 10_000, 0));
        b.add(example("a", 1), new float[1000]);
        b.add(example("b", 2), new float[1000]);
        ExampleSetException e = assertThrows(ExampleSetException.class, () -> b.add(example("c", 3), new float[1000]));
        assertTrue(e.getMessage().contains("explain.examples.max-bytes"), e.getMessage());
    }

    @Test
    void anEmbeddingLargerThanTheBoundFailsBeforeAnythingIsAllocated() {
        ExampleSetBuilder b = new ExampleSetBuilder(settings(1_000_000, 1 << 20, 0));
        // 1,000,000 values: 4 MB, over the 1 MiB bound; an array for a million of them would be 4 TB
        ExampleSetException e =
                assertThrows(ExampleSetException.class, () -> b.add(example("a", 1), new float[1_000_000]));
        assertTrue(e.getMessage().contains("explain.examples.max-bytes"), e.getMessage());
    }

    @Test
    void linesPastTheirBoundAreNotKeptAtAll() {
        ExampleSetBuilder b = new ExampleSetBuilder(settings(100, 1 << 20, 100));
        b.add(example("a", 1), new float[] {1});
        b.add(example("b", 2), new float[] {2});
        ExampleSet set = b.build();
        assertFalse(set.report().linesKept());
        assertNull(set.line("a"), "a partial set of lines would show some neighbours' examples and not others");
    }

    @Test
    void aSetWithNothingUsableFailsWithItsFirstBadLines() {
        ExampleSetBuilder b = new ExampleSetBuilder(settings(10, 1 << 20, 1 << 20));
        b.bad(new BadLine("set.jsonl", 1, "not JSON"));
        ExampleSetException e = assertThrows(ExampleSetException.class, b::build);
        assertTrue(e.getMessage().contains("set.jsonl:1: not JSON"), e.getMessage());
    }

    @Test
    void approximateSearchIsExactBelowItsThreshold() {
        SearchSettings s = new SearchSettings(Distance.SQUARED_L2, true, 3, 16, 100, 100, 10, 1 << 20, 1 << 20);
        ExampleSetBuilder small = new ExampleSetBuilder(s);
        small.add(example("a", 1), new float[] {1});
        small.add(example("b", 2), new float[] {2});
        assertEquals("exact", small.build().report().search());
        ExampleSetBuilder large = new ExampleSetBuilder(s);
        for (int i = 0; i < 3; i++) {
            large.add(example("e" + i, i), new float[] {i});
        }
        assertEquals("approximate", large.build().report().search());
    }
}
