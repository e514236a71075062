package dev.explainable.serving.runtime.storage;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A download's bytes, read from the client library's stream on a thread of its own, so that the fetch waits for the
 * next bytes at most explain.storage.request-timeout, and never past the fetch's deadline, whatever the library does
 * underneath: a blocked socket read that a close from another thread cannot end, a download it reopens by itself, a
 * close that first reads the rest of the object. A stall is a retryable {@code UNAVAILABLE} that says so.
 *
 * <p>When the fetch gives up, the source is closed from another thread at once and the reader thread ends with its
 * read: at once where the close aborts it (S3's stream closed before its end aborts its connection; the JDK's client),
 * else at the client's own read timeout, which is the request timeout too (Google's); what it still reads is dropped.
 */
final class WatchedStream extends BulkInputStream {

    private static final int CHUNK = 64 * 1024;
    /** A source's read result: bytes, the end (length -1), or its failure. */
    private record Chunk(byte[] bytes, int length, Throwable failure) {}

    private static final ExecutorService THREADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "model-fetch-reader");
        t.setDaemon(true);
        return t;
    });

    private final InputStream source;
    private final String location;
    private final Duration idle;
    private final Budget budget;
    /** A few chunks ahead of the fetch at most: a download never piles up in memory. */
    private final BlockingQueue<Chunk> chunks = new ArrayBlockingQueue<>(4);

    private final Future<?> reader;
    private volatile boolean closed;
    private Chunk current;
    private int position;

    /** Starts reading {@code source}; {@code location} (the object's URI) names it in errors. */
    WatchedStream(InputStream source, String location, Duration idle, Budget budget) {
        this.source = source;
        this.location = location;
        this.idle = idle;
        this.budget = budget;
        this.reader = THREADS.submit(this::readAll);
    }

    private void readAll() {
        try (source) {
            int n;
            do {
                byte[] b = new byte[CHUNK];
                n = source.read(b);
                if (n != 0 && !hand(new Chunk(b, n, null))) {
                    return;
                }
            } while (n >= 0);
        } catch (Throwable t) {
            hand(new Chunk(null, 0, t));
        }
    }

    /**
     * Queues a chunk for the fetch; false once the fetch gave up. (Never interrupted: interrupting a thread inside
     * an interruptible channel's read closes the channel on the interrupting thread, which then waits on the read.)
     */
    private boolean hand(Chunk c) {
        try {
            while (!closed) {
                if (chunks.offer(c, 100, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (current == null || (current.length() >= 0 && position == current.length())) {
            current = next();
            position = 0;
        }
        if (current.length() < 0) {
            return -1;
        }
        int n = Math.min(len, current.length() - position);
        System.arraycopy(current.bytes(), position, b, off, n);
        position += n;
        return n;
    }

    private Chunk next() throws IOException {
        if (closed) {
            throw new IOException("closed");
        }
        Duration left = budget.left();
        if (left.isNegative() || left.isZero()) {
            close();
            throw budget.timedOut();
        }
        long waitNanos = left.compareTo(idle) < 0 ? left.toNanos() : idle.toNanos();
        Chunk c;
        try {
            c = chunks.poll(waitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new StorageException(StorageException.Kind.FAILED, location, "interrupted");
        }
        if (c == null) {
            close();
            throw left.compareTo(idle) < 0 ? budget.timedOut() : stalled();
        }
        if (c.failure() != null) {
            close();
            throw failure(c.failure());
        }
        return c;
    }

    /** The source's failure as the fetch's: IOExceptions as they are (the caller maps them), a read timeout a stall. */
    private IOException failure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            // the client's own read timeout, which is the request timeout: the same stall
            if (t instanceof SocketTimeoutException) {
                throw stalled();
            }
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        return failure instanceof IOException e ? e : new IOException(failure);
    }

    private StorageException stalled() {
        return new StorageException(
                StorageException.Kind.UNAVAILABLE,
                location,
                "the download stalled: no bytes for " + seconds(idle) + " (explain.storage.request-timeout)");
    }

    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /**
     * Ends the download. One stopped before its end has its source closed from another thread, so that this never
     * waits on the library.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        chunks.clear();
        if (!reader.isDone()) {
            THREADS.execute(() -> {
                try {
                    source.close();
                } catch (IOException | RuntimeException e) {
                    // the reader thread ends either way
                }
            });
        }
    }
}
