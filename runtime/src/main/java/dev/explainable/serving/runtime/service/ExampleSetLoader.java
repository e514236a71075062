package dev.explainable.serving.runtime.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import dev.explainable.serving.runtime.config.ExampleOptions;
import dev.explainable.serving.runtime.examples.BadLine;
import dev.explainable.serving.runtime.examples.ExampleLines;
import dev.explainable.serving.runtime.examples.ExampleSet;
import dev.explainable.serving.runtime.examples.ExampleSetBuilder;
import dev.explainable.serving.runtime.examples.ExampleSetException;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.storage.LineReader;
import dev.explainable.serving.runtime.storage.ObjectFiles;
import dev.explainable.serving.runtime.storage.StorageException;
import dev.explainable.serving.runtime.storage.StorageSettings;
import dev.explainable.serving.runtime.tensor.HostTensor;

/**
 * Reads an example set at load: its files streamed line by line (each bounded), each line checked and decoded as a
 * request's instance, embedded in the model's runs a chunk at a time, and indexed. A bad line is reported (logged, and
 * in the set's report), never fatal alone; a set over its bounds, or with nothing usable, fails the load naming the
 * setting.
 */
final class ExampleSetLoader {

    private static final Logger LOG = Logger.getLogger(ExampleSetLoader.class);
    /** Bytes of lines held for one embedding run at the most (besides the chunk's line count). */
    static final long MAX_PENDING_BYTES = 32L << 20;

    private ExampleSetLoader() {}

    /** The example set {@code options} names, embedded in {@code latent}, {@code chunk} instances per run. */
    static ExampleSet load(ExampleOptions options, StorageSettings storage, LatentSpace latent, int chunk) {
        ExampleSetBuilder builder = new ExampleSetBuilder(options.search());
        try (ObjectFiles files = new ObjectFiles(storage)) {
            for (String pattern : options.uris()) {
                for (ObjectFiles.Input input : files.expand(pattern)) {
                    read(files, input.location(), options.maxLineBytes(), latent, chunk, builder);
                }
            }
            ExampleSet set = builder.build();
            ExampleSet.Report r = set.report();
            LOG.infof(
                    "example set: %d examples of %d values, %s search (%s), %d bad lines, %d bytes, built in %d ms",
                    r.examples(), r.dimensions(), r.search(), r.distance(), r.badLines(), r.bytes(), r.buildMillis());
            r.firstBadLines().forEach(b -> LOG.warnf("example set: line left out: %s", b));
            return set;
        } catch (ExampleSetException e) {
            throw new MetadataException("example set: " + e.getMessage());
        } catch (StorageException e) {
            throw new MetadataException("example set: " + e.getMessage(), e);
        }
    }

    private static void read(
            ObjectFiles files,
            String location,
            long maxLineBytes,
            LatentSpace latent,
            int chunk,
            ExampleSetBuilder builder) {
        List<ExampleLines.Example> pending = new ArrayList<>(chunk);
        List<Map<String, HostTensor>> decoded = new ArrayList<>(chunk);
        try (InputStream in = files.open(location)) {
            LineReader lines = new LineReader(in, maxLineBytes);
            long number = 0;
            long pendingBytes = 0;
            for (LineReader.Line line = lines.next(); line != null; line = lines.next()) {
                number++;
                if (line.tooLong()) {
                    builder.bad(new BadLine(
                            location,
                            number,
                            "longer than " + maxLineBytes + " bytes (explain.examples.max-line-bytes)"));
                    continue;
                }
                ExampleLines.Example example;
                try {
                    example = ExampleLines.parse(line.text(), location, number);
                } catch (ExampleLines.NotAnExample e) {
                    builder.bad(e.bad());
                    continue;
                }
                if (example == null) {
                    continue;
                }
                try {
                    decoded.add(latent.decode(example.instance(), 0));
                } catch (RuntimeException e) {
                    builder.bad(new BadLine(location, number, "not an instance of the model: " + e.getMessage()));
                    continue;
                }
                pending.add(example);
                pendingBytes += line.bytes();
                // a chunk is bounded in lines and in bytes: lines of megabytes (images) are held 32 MiB at a time
                if (pending.size() == chunk || pendingBytes >= MAX_PENDING_BYTES) {
                    embed(pending, decoded, latent, builder);
                    pendingBytes = 0;
                }
            }
            embed(pending, decoded, latent, builder);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the example set " + location, e);
        }
    }

    private static void embed(
            List<ExampleLines.Example> pending,
            List<Map<String, HostTensor>> decoded,
            LatentSpace latent,
            ExampleSetBuilder builder) {
        if (pending.isEmpty()) {
            return;
        }
        try {
            List<float[]> embeddings = latent.embed(decoded);
            for (int i = 0; i < pending.size(); i++) {
                builder.add(pending.get(i), embeddings.get(i));
            }
        } catch (ExampleSetException e) {
            throw e;
        } catch (RuntimeException e) {
            // one line the model cannot run fails its chunk's run: each line alone, the failing ones reported
            for (int i = 0; i < pending.size(); i++) {
                ExampleLines.Example example = pending.get(i);
                float[] embedding;
                try {
                    embedding = latent.embed(List.of(decoded.get(i))).get(0);
                } catch (RuntimeException alone) {
                    builder.bad(new BadLine(
                            example.location(),
                            example.line(),
                            "the model's run failed on it: "
                                    + (alone.getMessage() == null ? alone.toString() : alone.getMessage())));
                    continue;
                }
                builder.add(example, embedding);
            }
        }
        pending.clear();
        decoded.clear();
    }
}
