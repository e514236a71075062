package dev.explainable.serving.runtime.batch;

import static dev.explainable.serving.runtime.batch.BatchShardTest.readTree;
import static dev.explainable.serving.runtime.batch.BatchShardTest.shardOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.config.ExplainConfig;
import dev.explainable.serving.runtime.config.RuntimeOptions;
import dev.explainable.serving.runtime.service.ExplanationPipeline;
import dev.explainable.serving.runtime.storage.ObjectFiles;
import dev.explainable.serving.runtime.testing.TestOptions;

/**
 * Shards reading byte ranges of local files (the ranged reads of gs:// and s3:// are BatchShardTest's and
 * ObjectFilesRangeTest's): for many shard counts, more shards than lines among them, over lines of very different
 * lengths, CRLF, blank lines, a line over the bound, a last line without a break and an empty file, every line is in
 * exactly one shard's output, the shard whose range holds its first byte; csv headers are never rows, and a shard
 * starting inside a csv file still names its fields; a shard reads about its share of the bytes, not the whole input.
 */
class BatchRangesTest {

    static final int MAX_LINE = 4096;
    static final String LONG_LINE = "[9.5, 1, 2, 3, 4]" + " ".repeat(MAX_LINE + 100);

    static ExplanationPipeline tabular;

    @BeforeAll
    static void load() {
        tabular = TestModels.load("tabular_classifier", 50).pipeline();
    }

    /** One input line as the test wrote it: its file, its first byte in the file, what identifies it in the output. */
    record Written(String file, long start, String key) {}

    /** Files of lines, written with the offsets of each line's first byte kept. */
    static final class Inputs {
        final Map<String, ByteArrayOutputStream> files = new LinkedHashMap<>();
        final List<Written> lines = new ArrayList<>();

        void line(String file, String text, String ending, String key) {
            ByteArrayOutputStream out = files.computeIfAbsent(file, f -> new ByteArrayOutputStream());
            if (key != null) {
                lines.add(new Written(file, out.size(), key));
            }
            out.writeBytes((text + ending).getBytes(StandardCharsets.UTF_8));
        }

        void empty(String file) {
            files.computeIfAbsent(file, f -> new ByteArrayOutputStream());
        }

        long total() {
            return files.values().stream()
                    .mapToLong(ByteArrayOutputStream::size)
                    .sum();
        }

        /** The byte of the inputs (files in sorted order, as the shards see them) where {@code w} starts. */
        long global(Written w) {
            long base = 0;
            for (var e : new java.util.TreeMap<>(files).entrySet()) {
                if (e.getKey().equals(w.file())) {
                    return base + w.start();
                }
                base += e.getValue().size();
            }
            throw new AssertionError(w.file());
        }

        void writeTo(Path dir) throws IOException {
            Files.createDirectories(dir);
            for (var e : files.entrySet()) {
                Files.write(dir.resolve(e.getKey()), e.getValue().toByteArray());
            }
        }
    }

    static String instance(int n, Random random) {
        StringBuilder b = new StringBuilder("[").append(n).append(".5");
        for (int j = 1; j < 5; j++) {
            b.append(", ").append(String.format(Locale.ROOT, "%.3f", random.nextDouble() * 4 - 2));
        }
        return b.append("]").toString();
    }

    static Inputs jsonlInputs() {
        Random random = new Random(11);
        Inputs in = new Inputs();
        int n = 0;
        int[] pads = {0, 1, 7, 60, 500, 2000, 3900};
        String[] blanks = {"", "   ", "\r", "\t"};
        for (int i = 0; i < 40; i++) {
            String json = instance(n++, random);
            // padded inside, so that lines have very different lengths (JSON ignores the spaces)
            String text = json.replaceFirst(",", "," + " ".repeat(pads[random.nextInt(pads.length)]));
            in.line(
                    "a.jsonl",
                    text,
                    random.nextBoolean() ? "\n" : "\r\n",
                    readTree(json).toString());
            if (random.nextInt(5) == 0) {
                in.line("a.jsonl", blanks[random.nextInt(blanks.length)], "\n", null);
            }
            if (i == 20) {
                in.line("a.jsonl", "{not json", "\n", "{not json");
            }
        }
        String last = instance(n++, random);
        in.line("a.jsonl", last, "", readTree(last).toString()); // no break after the file's last line
        in.empty("b.jsonl");
        in.line("c.jsonl", "", "\n", null);
        in.line("c.jsonl", "", "\r\n", null);
        in.line("c.jsonl", LONG_LINE, "\n", "LONG");
        for (int i = 0; i < 12; i++) {
            String json = instance(n++, random);
            in.line("c.jsonl", json, "\r\n", readTree(json).toString());
        }
        String single = instance(n++, random);
        in.line("d.jsonl", single, "", readTree(single).toString());
        return in;
    }

    @Test
    void forEveryShardCountEveryLineIsInExactlyOneShardTheOneHoldingItsFirstByte(@TempDir Path tmp) throws IOException {
        Inputs in = jsonlInputs();
        in.writeTo(tmp.resolve("in"));
        List<Written> lines = in.lines;
        long total = in.total();
        int lineCount = lines.size();
        for (int count : new int[] {1, 2, 3, 4, 5, 6, 7, lineCount + 9}) {
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < count; i++) {
                Path out = tmp.resolve("out-" + count);
                Map<String, String> p = TestOptions.properties(
                        "explain.batch.input-uris", tmp.resolve("in/*.jsonl").toString(),
                        "explain.batch.output-directory", out.toString(),
                        "explain.batch.shard-count", String.valueOf(count),
                        "explain.batch.shard-index", String.valueOf(i),
                        "explain.batch.generate-explanation", "false",
                        "explain.max-request-bytes", String.valueOf(MAX_LINE));
                assertEquals(0, BatchShardTest.shard(tabular, p, tmp.resolve("no-log")));
                String suffix = String.format(Locale.ROOT, "-%05d-of-%05d", i, count);
                for (String line : Files.readAllLines(out.resolve("prediction.results" + suffix))) {
                    String key = readTree(line).get("instance").toString();
                    assertEquals(null, seen.put(key, i), key + " in shards " + seen.get(key) + " and " + i);
                }
                for (String line : Files.readAllLines(out.resolve("prediction.errors_stats" + suffix))) {
                    JsonNode e = readTree(line);
                    String message = e.at("/error/message").asText();
                    String key = message.contains("more than explain.max-request-bytes")
                            ? "LONG"
                            : e.get("instance").asText();
                    if (key.equals("LONG")) {
                        Written w = find(lines, "LONG");
                        assertTrue(
                                message.equals("the line at byte " + w.start() + " of " + tmp.resolve("in/c.jsonl")
                                        + " has " + LONG_LINE.length() + " bytes, more than"
                                        + " explain.max-request-bytes (" + MAX_LINE + ")"),
                                message);
                    }
                    assertEquals(null, seen.put(key, i), key + " in shards " + seen.get(key) + " and " + i);
                }
            }
            for (Written w : lines) {
                Integer shard = seen.get(w.key());
                assertTrue(shard != null, w + " in no shard of " + count);
                assertEquals(shardOf(in.global(w), total, count), shard, w + ", " + count + " shards");
            }
            assertEquals(lineCount, seen.size(), "lines of " + count + " shards: " + seen.keySet());
        }
    }

    static Written find(List<Written> lines, String key) {
        return lines.stream().filter(w -> w.key().equals(key)).findFirst().orElseThrow();
    }

    @Test
    void csvHeadersAreNeverRowsAndAShardStartingMidFileStillNamesItsFields(@TempDir Path tmp) throws IOException {
        Random random = new Random(5);
        Inputs in = new Inputs();
        for (String file : List.of("p.csv", "q.csv")) {
            in.line(file, "f1,id,f2,f3,f4,f5,comment", random.nextBoolean() ? "\n" : "\r\n", null);
            for (int i = 0; i < 25; i++) {
                String id = file.charAt(0) + "-" + i;
                String comment = "\"" + "x, ".repeat(random.nextInt(200)) + "\"";
                in.line(
                        file,
                        String.format(
                                Locale.ROOT,
                                "%.2f,%s,%.2f,%.2f,%.2f,%.2f,%s",
                                random.nextDouble(),
                                id,
                                random.nextDouble(),
                                random.nextDouble(),
                                random.nextDouble(),
                                random.nextDouble(),
                                comment),
                        i % 3 == 0 ? "\r\n" : "\n",
                        "\"" + id + "\"");
            }
        }
        in.writeTo(tmp.resolve("in"));
        for (int count : new int[] {1, 2, 3, 5, 8, 60}) {
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < count; i++) {
                Path out = tmp.resolve("out-" + count);
                Map<String, String> p = TestOptions.properties(
                        "explain.batch.input-uris",
                        tmp.resolve("in/*.csv").toString(),
                        "explain.batch.instances-format",
                        "csv",
                        "explain.batch.key-field",
                        "id",
                        "explain.batch.excluded-fields",
                        "comment",
                        "explain.batch.output-directory",
                        out.toString(),
                        "explain.batch.shard-count",
                        String.valueOf(count),
                        "explain.batch.shard-index",
                        String.valueOf(i),
                        "explain.batch.generate-explanation",
                        "false");
                assertEquals(0, BatchShardTest.shard(tabular, p, tmp.resolve("no-log")));
                String suffix = String.format(Locale.ROOT, "-%05d-of-%05d", i, count);
                List<String> errors = Files.readAllLines(out.resolve("prediction.errors_stats" + suffix));
                assertEquals(List.of(), errors, count + " shards");
                for (String line : Files.readAllLines(out.resolve("prediction.results" + suffix))) {
                    String key = readTree(line).get("key").toString();
                    assertEquals(null, seen.put(key, i), key + " twice");
                }
            }
            for (Written w : in.lines) {
                assertEquals(shardOf(in.global(w), in.total(), count), seen.get(w.key()), w + ", " + count);
            }
            assertEquals(in.lines.size(), seen.size());
        }
    }

    @Test
    void aShardReadsAboutItsShareOfTheBytesNotTheWholeInput(@TempDir Path tmp) throws IOException {
        // 6 MB of mostly blank lines (skipped without work), an instance every 500 lines
        Random random = new Random(3);
        Inputs in = new Inputs();
        for (int i = 0; i < 6_000; i++) {
            if (i % 500 == 0) {
                in.line(i < 3_000 ? "big-1.jsonl" : "big-2.jsonl", instance(i, random), "\n", "x" + i);
            }
            in.line(i < 3_000 ? "big-1.jsonl" : "big-2.jsonl", " ".repeat(999), "\n", null);
        }
        in.writeTo(tmp.resolve("in"));
        long total = in.total();
        int count = 4;
        long read = 0;
        long instances = 0;
        for (int i = 0; i < count; i++) {
            Map<String, String> p = TestOptions.properties(
                    "explain.batch.input-uris", tmp.resolve("in/big-*.jsonl").toString(),
                    "explain.batch.output-directory", tmp.resolve("out").toString(),
                    "explain.batch.shard-count", String.valueOf(count),
                    "explain.batch.shard-index", String.valueOf(i),
                    "explain.batch.generate-explanation", "false");
            ExplainConfig config = TestOptions.config(p);
            BatchShard.Counts counts;
            try (ObjectFiles files = new ObjectFiles(RuntimeOptions.storage(config))) {
                counts = new BatchShard(BatchSettings.from(config, Map.of()), tabular, files).run();
            }
            long share = total / count;
            // its share, plus at most the rest of its last line and a read buffer (64 KiB) past it, in each of the
            // two files its range may touch
            assertTrue(
                    counts.bytesRead() >= share - 1 && counts.bytesRead() <= share + 2 * (1_000 + 64 * 1024),
                    "shard " + i + " of " + count + " read " + counts.bytesRead() + " bytes of " + total);
            read += counts.bytesRead();
            instances += counts.succeeded();
        }
        assertEquals(in.lines.size(), instances);
        assertTrue(read < total + count * 2 * (64 * 1024 + 1_000L), read + " bytes read of " + total);
    }
}
