package dev.explainable.serving.runtime.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.jboss.logging.Logger;

/**
 * Fetches a model folder ({@code gs://}, {@code s3://}) or archive ({@code http(s)://}) into a local folder, the one
 * fetcher of the project: the operator runs it as the runtime pods' init container, the runtime runs it when
 * {@code explain.model.dir} is a URI.
 *
 * <p>Everything lands in a temporary folder beside the destination, is checked — object names (no path traversal),
 * sizes and object count against the limits, every checksum the store gives, the SavedModel layout — and only then
 * renamed into place: a partial or failed download is never where a loader looks. A listing is refused as soon as it
 * passes the limits, never collected whole. Transient failures (no answer, server errors, throttling, a download
 * stalled for explain.storage.request-timeout, a corrupted transfer) are retried with exponential backoff and jitter,
 * all under one deadline, by this class only (the client libraries retry nothing); refusals (not found, access denied,
 * wrong layout, a limit) are not.
 */
public final class ModelFetcher {

    private static final Logger LOG = Logger.getLogger(ModelFetcher.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(8);
    private static final String PARTIAL = ".fetch-";
    private static final String OLD = ".old-";

    /** What a fetch reports as it goes (logs; tests). */
    public interface Listener {
        /** The folder was listed and passed the up-front checks; downloads follow. */
        default void listed(List<StoredObject> objects) {}

        /** One object is in the temporary folder, checked. */
        default void downloaded(StoredObject object) {}

        Listener NONE = new Listener() {};
    }

    private final StorageSettings settings;
    private final Listener listener;

    public ModelFetcher(StorageSettings settings) {
        this(settings, Listener.NONE);
    }

    public ModelFetcher(StorageSettings settings, Listener listener) {
        this.settings = settings;
        this.listener = listener;
    }

    /**
     * Fetches {@code uri} into {@code destination} (replacing what is there only once the new copy is complete) and
     * returns it; throws {@link StorageException} saying why not, leaving no partial files behind.
     */
    public Path fetch(String uri, Path destination) {
        return fetch(ModelUri.parse(uri), destination);
    }

    public Path fetch(ModelUri uri, Path destination) {
        long start = System.nanoTime();
        Path dest = destination.toAbsolutePath().normalize();
        Path parent = dest.getParent();
        Budget budget = new Budget(settings, uri.text());
        Path temp;
        try {
            Files.createDirectories(parent);
            removeLeftovers(parent, dest.getFileName().toString());
            temp = Files.createTempDirectory(parent, "." + dest.getFileName() + PARTIAL);
        } catch (IOException e) {
            throw local(uri, "preparing " + parent, e);
        }
        try {
            Path root = uri.isObjectStore()
                    ? fetchFolder(uri, temp, budget)
                    : new HttpArchive(settings, this).download(uri, temp, budget);
            ModelLayout.check(root, uri.text());
            replace(uri, root, dest);
            LOG.infof(
                    "fetched %s into %s: %d files, %d bytes in %d ms",
                    uri, dest, ModelLayout.files(dest).size(), sizeOf(dest), (System.nanoTime() - start) / 1_000_000);
            return dest;
        } finally {
            deleteQuietly(temp);
        }
    }

    private Path fetchFolder(ModelUri uri, Path temp, Budget budget) {
        try (ObjectStore store = open(uri)) {
            List<StoredObject> objects = retrying(uri.text(), budget, () -> {
                Listing listing = new Listing(budget);
                store.list(uri, listing);
                return listing.objects();
            });
            if (objects.isEmpty()) {
                throw new StorageException(
                        StorageException.Kind.NOT_FOUND,
                        uri.text(),
                        "no objects under " + uri.scheme() + "://" + uri.bucket() + "/" + uri.listPrefix()
                                + " (is the path right, and does the pod's identity see it?)");
            }
            Set<String> names = new TreeSet<>();
            for (StoredObject o : objects) {
                ObjectNames.resolve(temp, o.relativeName(), uri.text());
                names.add(o.relativeName());
            }
            // before the first byte: a folder still being uploaded is refused without downloading it
            ModelLayout.check(names, uri.text());
            listener.listed(objects);
            for (StoredObject o : objects) {
                budget.checkTime();
                Path target = ObjectNames.resolve(temp, o.relativeName(), uri.text());
                String location = uri.scheme() + "://" + uri.bucket() + "/" + o.name();
                retrying(location, budget, () -> {
                    download(store, uri, o, target, location, budget);
                    return null;
                });
                listener.downloaded(o);
            }
            return temp;
        }
    }

    private ObjectStore open(ModelUri uri) {
        return uri.scheme().equals("gs")
                ? new GcsObjectStore(settings, uri.text())
                : new S3ObjectStore(settings, uri.text());
    }

    private void download(
            ObjectStore store, ModelUri uri, StoredObject o, Path target, String location, Budget budget) {
        try {
            Files.createDirectories(target.getParent());
        } catch (FileAlreadyExistsException e) {
            throw new StorageException(
                    StorageException.Kind.BAD_LAYOUT, location, "a file and a folder have the same name: " + e);
        } catch (IOException e) {
            throw local(uri, "creating " + target.getParent(), e);
        }
        ObjectStore.Opened opened = store.open(uri, o);
        MessageDigest md5 = md5();
        CRC32C crc = new CRC32C();
        long n;
        try (InputStream in = new WatchedStream(opened.stream(), location, settings.requestTimeout(), budget);
                OutputStream out = Files.newOutputStream(target)) {
            n = copy(in, out, location, budget, o.size(), (b, off, len) -> {
                md5.update(b, off, len);
                crc.update(b, off, len);
            });
        } catch (IOException e) {
            throw local(uri, "writing " + target, e);
        }
        if (n != o.size()) {
            budget.undoBytes(n);
            throw new StorageException(
                    StorageException.Kind.FAILED,
                    location,
                    "received " + n + " bytes where the listing said " + o.size() + ": the object changed during the"
                            + " download");
        }
        if (opened.md5() != null && !Arrays.equals(opened.md5(), md5.digest())) {
            budget.undoBytes(n);
            throw mismatch(location, "MD5", HexFormat.of().formatHex(opened.md5()));
        }
        if (opened.crc32c() != null && opened.crc32c() != (int) crc.getValue()) {
            budget.undoBytes(n);
            throw mismatch(location, "CRC32C", Integer.toHexString(opened.crc32c()));
        }
    }

    private static StorageException mismatch(String location, String which, String expected) {
        return new StorageException(
                StorageException.Kind.CHECKSUM_MISMATCH,
                location,
                "the bytes received do not have the store's " + which + " (" + expected + ")");
    }

    interface Digests {
        void update(byte[] b, int off, int len);
    }

    /**
     * Copies with the fetch's bounds: at most {@code limit} bytes (the listed size; -1 for none) and the byte budget;
     * {@code in} reads through a {@link WatchedStream}, which bounds the wait for bytes and the time. Read errors are
     * {@code UNAVAILABLE} (retried); local write errors are IOExceptions.
     */
    long copy(InputStream in, OutputStream out, String location, Budget budget, long limit, Digests digests)
            throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try {
            while (true) {
                int r;
                try {
                    r = in.read(buffer);
                } catch (StorageException e) {
                    throw e;
                } catch (IOException | RuntimeException e) {
                    throw new StorageException(
                            StorageException.Kind.UNAVAILABLE,
                            location,
                            "reading: " + e,
                            e instanceof IOException ? e : null);
                }
                if (r < 0) {
                    return total;
                }
                if (limit >= 0 && total + r > limit) {
                    throw new StorageException(
                            StorageException.Kind.FAILED,
                            location,
                            "more bytes than the listing's " + limit + ": the object changed during the download");
                }
                budget.addBytes(r);
                total += r;
                digests.update(buffer, 0, r);
                out.write(buffer, 0, r);
            }
        } catch (StorageException e) {
            budget.undoBytes(total);
            throw e;
        }
    }

    /**
     * Runs {@code call}, retrying transient failures with exponential backoff (0.5 s doubling to 8 s, with jitter)
     * up to explain.storage.attempts, never past the deadline.
     */
    <T> T retrying(String location, Budget budget, Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            budget.checkTime();
            try {
                return call.get();
            } catch (StorageException e) {
                if (!e.retryable()) {
                    throw e;
                }
                if (attempt >= settings.attempts()) {
                    throw new StorageException(
                            e.kind(),
                            location,
                            "gave up after " + attempt + " attempts (explain.storage.attempts): " + e.getMessage(),
                            e);
                }
                long base = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << (attempt - 1));
                long sleep = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
                if (budget.left().toMillis() < sleep) {
                    throw budget.timedOut();
                }
                LOG.warnf(
                        "%s; retrying in %d ms (attempt %d of %d)",
                        e.getMessage(), sleep, attempt + 1, settings.attempts());
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Renames the checked copy into place; an older copy there is moved aside first, then deleted. */
    private static void replace(ModelUri uri, Path root, Path dest) {
        try {
            Path old = null;
            if (Files.exists(dest)) {
                old = Files.createTempDirectory(dest.getParent(), "." + dest.getFileName() + OLD);
                Files.move(dest, old.resolve("model"), StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(root, dest, StandardCopyOption.ATOMIC_MOVE);
            if (old != null) {
                deleteQuietly(old);
            }
        } catch (IOException e) {
            throw local(uri, "moving the checked copy to " + dest, e);
        }
    }

    /** Partial copies and old copies that a killed fetcher (or init container) left beside the destination. */
    private static void removeLeftovers(Path parent, String name) throws IOException {
        try (DirectoryStream<Path> s =
                Files.newDirectoryStream(parent, "." + name + "{" + PARTIAL + "," + OLD + "}*")) {
            for (Path p : s) {
                LOG.infof("removing %s, left by an earlier fetch", p);
                deleteQuietly(p);
            }
        }
    }

    static StorageException local(ModelUri uri, String what, IOException e) {
        return new StorageException(
                StorageException.Kind.FAILED,
                uri.text(),
                what + " (local disk): " + e.getClass().getSimpleName() + " " + e.getMessage(),
                e);
    }

    static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.warnf("could not delete %s: %s", p, e.getMessage());
                }
            });
        } catch (NoSuchFileException e) {
            // gone already
        } catch (IOException | UncheckedIOException e) {
            LOG.warnf("could not delete %s: %s", dir, e.getMessage());
        }
    }

    private static long sizeOf(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        } catch (IOException e) {
            return -1;
        }
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
