package dev.explainable.serving.runtime.batch;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.explainable.serving.runtime.service.ExplanationPipeline;
import dev.explainable.serving.runtime.storage.LineReader;
import dev.explainable.serving.runtime.storage.ObjectFiles;
import dev.explainable.serving.runtime.storage.StorageException;

/**
 * One shard of a batch job: reads its share of the input ({@link ShardRanges}: a contiguous range of the sorted
 * input files' bytes; the lines that start in it, {@link RangeLines}, or the TFRecord files that start in it, whole,
 * {@link TfRecordReader}), explains the instances in calls of {@code instances-per-call}, up to
 * {@code calls-in-flight} calls at once (their TensorFlow runs shared as concurrent requests' are), and writes one
 * line per instance as the calls finish, in input order: a result to the results file, a failure to the errors file.
 * An instance that cannot be explained (malformed JSON, wrong shape, undecodable image, over the work bounds, a
 * corrupt record) is an errors line; anything else fails the shard.
 *
 * <p>Both files are written to local temporary files and put into the output folder whole at the end, the errors
 * file first and the results file second: a results file in the output folder always has its complete errors file
 * beside it. A shard killed before or between the two leaves either nothing new, or a new errors file beside the
 * results file of an earlier try (or none); its retry replaces both.
 *
 * <p>Memory is bounded by the calls in flight times the instances per call, plus one line or record (at most
 * explain.max-request-bytes).
 */
public final class BatchShard {

    private static final Logger LOG = Logger.getLogger(BatchShard.class);
    // FastDoubleParser: exact as the JDK's, a fraction of its time on lines of many decimals (image instances)
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();

    /**
     * The shard's counts: instances explained (or predicted), instances in the errors file, and the bytes of input
     * it read (its share, plus what reads buffer past it, and any file-list files).
     */
    public record Counts(long succeeded, long failed, long bytesRead) {}

    private final BatchSettings settings;
    private final ObjectFiles files;
    private final ShardCall calls;

    public BatchShard(BatchSettings settings, ExplanationPipeline pipeline, ObjectFiles files) {
        this.settings = settings;
        this.files = files;
        this.calls = new ShardCall(settings.generateExplanation(), pipeline);
    }

    /**
     * Runs the shard; its files are in the output folder when this returns. A {@link StorageException} or an
     * {@link UncheckedIOException} when an input cannot be read or the output cannot be written.
     */
    public Counts run() {
        List<ObjectFiles.Input> inputs = new ArrayList<>();
        for (String pattern : settings.inputUris()) {
            inputs.addAll(files.expand(pattern));
        }
        inputs.sort(java.util.Comparator.comparing(ObjectFiles.Input::location));
        List<String> locations =
                inputs.stream().map(ObjectFiles.Input::location).toList();
        List<Long> sizes = inputs.stream().map(ObjectFiles.Input::size).toList();
        List<ShardRanges.Piece> pieces = settings.format().lines()
                ? ShardRanges.lines(locations, sizes, settings.shardIndex(), settings.shardCount())
                : ShardRanges.wholeFiles(locations, sizes, settings.shardIndex(), settings.shardCount());
        long total = sizes.stream().mapToLong(Long::longValue).sum();
        LOG.infof(
                "shard %d of %d: %d input files, %d bytes, format %s; its bytes %d to %d (%s of %d files), writing %s"
                        + " and %s into %s",
                settings.shardIndex(),
                settings.shardCount(),
                inputs.size(),
                total,
                settings.format().text(),
                ShardRanges.start(total, settings.shardIndex(), settings.shardCount()),
                ShardRanges.start(total, settings.shardIndex() + 1, settings.shardCount()),
                settings.format().lines() ? "lines starting there" : "the files starting there",
                pieces.size(),
                settings.resultsName(),
                settings.errorsName(),
                settings.outputDirectory());
        Path results = null;
        Path errors = null;
        Path profile = null;
        ExecutorService workers = Executors.newFixedThreadPool(settings.callsInFlight(), r -> {
            Thread t = new Thread(r, "batch-call");
            t.setDaemon(true);
            return t;
        });
        try {
            results = Files.createTempFile(settings.resultsName() + ".", ".tmp");
            errors = Files.createTempFile(settings.errorsName() + ".", ".tmp");
            Counts counts;
            try (Writer out = writer(results);
                    Writer err = writer(errors)) {
                counts = new Run(workers, out, err).all(pieces);
            }
            if (settings.generateExplanation()) {
                // before the results file too: a results file always has its shard's profile beside it
                profile = Files.createTempFile(settings.profileName() + ".", ".tmp");
                Files.writeString(profile, JSON.writeValueAsString(calls.profile()));
                files.put(settings.outputDirectory(), settings.profileName(), profile);
            }
            // the errors file first: a results file in the folder always has its complete errors file beside it
            files.put(settings.outputDirectory(), settings.errorsName(), errors);
            files.put(settings.outputDirectory(), settings.resultsName(), results);
            LOG.infof(
                    "shard %d of %d done: %d instances, %d errors, %d bytes of input read",
                    settings.shardIndex(),
                    settings.shardCount(),
                    counts.succeeded(),
                    counts.failed(),
                    counts.bytesRead());
            return counts;
        } catch (IOException e) {
            throw new UncheckedIOException("writing the shard's local files: " + e.getMessage(), e);
        } finally {
            workers.shutdownNow();
            deleteQuietly(results);
            deleteQuietly(errors);
            deleteQuietly(profile);
        }
    }

    private static Writer writer(Path p) throws IOException {
        return new BufferedWriter(Files.newBufferedWriter(p, StandardCharsets.UTF_8), 256 * 1024);
    }

    /** One pass over the inputs: reading on this thread, calls on the workers, writing here in input order. */
    private final class Run {
        private final ExecutorService workers;
        private final Writer out;
        private final Writer err;
        private final Deque<Future<ShardCall.Lines>> inFlight = new ArrayDeque<>();
        private List<ShardCall.Item> pending = new ArrayList<>();
        /** The current csv file's header cells, where instanceConfig names fields. */
        private List<String> header;

        private long succeeded;
        private long failed;

        Run(ExecutorService workers, Writer out, Writer err) {
            this.workers = workers;
            this.out = out;
            this.err = err;
        }

        Counts all(List<ShardRanges.Piece> pieces) throws IOException {
            for (ShardRanges.Piece piece : pieces) {
                if (settings.format().lines()) {
                    readLines(piece);
                } else {
                    readRecords(piece);
                }
            }
            submit();
            while (!inFlight.isEmpty()) {
                writeOldest();
            }
            return new Counts(succeeded, failed, files.bytesRead());
        }

        private void readLines(ShardRanges.Piece piece) throws IOException {
            String location = piece.location();
            header = null;
            try (RangeLines lines = new RangeLines(files, piece, settings.maxLineBytes())) {
                if (settings.format() == InstancesFormat.CSV) {
                    if (piece.atStart()) {
                        LineReader.Line first = lines.next(); // the header, this shard's to skip
                        if (first == null) {
                            return; // an empty file
                        }
                        if (settings.shaper().configured()) {
                            header = CsvRow.cells(first.text());
                        }
                    } else if (settings.shaper().configured()) {
                        LineReader.Line first = RangeLines.firstLine(files, location, settings.maxLineBytes());
                        header = first == null ? null : CsvRow.cells(first.text());
                    }
                }
                for (LineReader.Line line = lines.next(); line != null; line = lines.next()) {
                    if (!line.text().isBlank()) {
                        take(line, location);
                    }
                }
            }
        }

        private void take(LineReader.Line line, String location) throws IOException {
            if (line.tooLong()) {
                error(
                        JsonNodeFactory.instance.textNode(line.text() + "..."),
                        "the line at byte " + line.start() + " of " + location + " has " + line.bytes()
                                + " bytes, more than explain.max-request-bytes (" + settings.maxLineBytes() + ")");
                return;
            }
            ShardCall.Item item;
            try {
                item = item(line.text());
            } catch (IllegalArgumentException e) {
                error(JsonNodeFactory.instance.textNode(line.text()), e.getMessage());
                return;
            } catch (StorageException e) {
                if (e.kind() != StorageException.Kind.NOT_FOUND) {
                    throw e; // the store, not the line: the shard fails and is retried
                }
                error(JsonNodeFactory.instance.textNode(line.text()), e.getMessage());
                return;
            }
            add(item);
        }

        /**
         * A TFRecord file, whole: each record's bytes are the instance {@code {"b64": ...}}. A bad record is an errors
         * line naming the file and its byte; a broken framing one more, and the rest of the file is skipped.
         */
        private void readRecords(ShardRanges.Piece piece) throws IOException {
            String location = piece.location();
            JsonNode file = JsonNodeFactory.instance.textNode(location);
            boolean gzip = settings.format() == InstancesFormat.TF_RECORD_GZIP;
            String uncompressed = gzip ? " (uncompressed)" : "";
            try (InputStream in = files.open(location)) {
                TfRecordReader records = new TfRecordReader(in, gzip, settings.maxLineBytes());
                while (true) {
                    TfRecordReader.Record record;
                    try {
                        record = records.next();
                    } catch (TfRecordReader.Broken e) {
                        error(
                                file,
                                "the TFRecord framing of " + location + " is broken at byte " + e.offset()
                                        + uncompressed + ": " + e.getMessage() + "; the rest of the file is skipped");
                        return;
                    }
                    if (record == null) {
                        return;
                    }
                    if (record.data() == null) {
                        error(
                                file,
                                "the record at byte " + record.offset() + uncompressed + " of " + location + " "
                                        + record.problem());
                        continue;
                    }
                    JsonNode b64 = JsonNodeFactory.instance
                            .objectNode()
                            .put("b64", Base64.getEncoder().encodeToString(record.data()));
                    add(new ShardCall.Item(b64, b64, null));
                }
            }
        }

        private void add(ShardCall.Item item) throws IOException {
            pending.add(item);
            if (pending.size() >= settings.instancesPerCall()) {
                submit();
            }
        }

        /** The instance of a line; IllegalArgumentException says why a line is none. */
        private ShardCall.Item item(String text) throws IOException {
            switch (settings.format()) {
                case JSONL -> {
                    JsonNode node;
                    try {
                        node = JSON.readTree(text);
                    } catch (JsonProcessingException e) {
                        throw new IllegalArgumentException("the line is not JSON: " + e.getOriginalMessage(), e);
                    }
                    return item(settings.shaper().jsonl(node));
                }
                case CSV -> {
                    JsonNode row = CsvRow.instance(CsvRow.cells(text));
                    return item(settings.shaper().csv(header, row));
                }
                default -> {
                    String location = text.trim();
                    byte[] bytes;
                    try (InputStream in = files.open(location)) {
                        bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, settings.maxLineBytes() + 1));
                    }
                    if (bytes.length > settings.maxLineBytes()) {
                        throw new IllegalArgumentException(location + " is larger than explain.max-request-bytes ("
                                + settings.maxLineBytes() + ")");
                    }
                    JsonNode b64 = JsonNodeFactory.instance
                            .objectNode()
                            .put("b64", Base64.getEncoder().encodeToString(bytes));
                    // the results name the file, not its bytes again
                    return new ShardCall.Item(JsonNodeFactory.instance.textNode(location), b64, null);
                }
            }
        }

        /** A line's instance as instanceConfig shaped it: written as the model is given it, or as its key. */
        private ShardCall.Item item(InstanceShaper.Shaped shaped) {
            return new ShardCall.Item(shaped.instance(), shaped.instance(), shaped.key());
        }

        private void submit() throws IOException {
            if (pending.isEmpty()) {
                return;
            }
            List<ShardCall.Item> call = pending;
            pending = new ArrayList<>();
            while (inFlight.size() >= settings.callsInFlight()) {
                writeOldest();
            }
            inFlight.add(workers.submit(() -> calls.explain(call)));
        }

        private void writeOldest() throws IOException {
            ShardCall.Lines done;
            try {
                done = inFlight.removeFirst().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException(e.getCause());
            }
            for (String line : done.results()) {
                out.write(line);
                out.write('\n');
            }
            for (String line : done.errors()) {
                err.write(line);
                err.write('\n');
            }
            succeeded += done.results().size();
            failed += done.errors().size();
        }

        private void error(JsonNode instance, String message) throws IOException {
            err.write(ShardCall.errorLine(instance, null, message));
            err.write('\n');
            failed++;
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // a temporary file
            }
        }
    }
}
