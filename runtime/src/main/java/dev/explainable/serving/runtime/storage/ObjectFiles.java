package dev.explainable.serving.runtime.storage;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Files of the batch entry, on {@code gs://}, {@code s3://} or a local path, with the fetcher's clients, settings
 * and retries: input patterns expanded to a sorted list of objects ({@code *} and {@code ?} in the last segment),
 * objects read as streams (whole, or from a byte offset on: ranged reads), and a local file put into an output folder
 * whole (one upload, or a rename in the same local folder), replacing what has its name. Not thread-safe: one per
 * shard.
 */
public final class ObjectFiles implements AutoCloseable {

    /** One input object: its location as written in the results and errors, and how to open it. */
    public record Input(String location, long size) {}

    private final StorageSettings settings;
    private final ModelFetcher retries;
    private final Map<String, ObjectStore> stores = new HashMap<>();
    /** The listed objects (their version), by location, so that reads see the listed version. */
    private final Map<String, StoredObject> listed = new HashMap<>();

    private final AtomicLong bytesRead = new AtomicLong();

    public ObjectFiles(StorageSettings settings) {
        this.settings = settings;
        this.retries = new ModelFetcher(settings);
    }

    /**
     * The objects {@code pattern} names, sorted by location: a gs:// or s3:// URI or a local path whose last segment
     * may hold {@code *} and {@code ?} wildcards. None matching is a {@link StorageException} ({@code NOT_FOUND}).
     */
    public List<Input> expand(String pattern) {
        String p = pattern.trim();
        int slash = p.lastIndexOf('/');
        String folder = slash < 0 ? "." : p.substring(0, slash);
        String last = p.substring(slash + 1);
        if (last.isEmpty()) {
            throw new StorageException(
                    StorageException.Kind.INVALID_URI, pattern, "names a folder; name its files (folder/*.jsonl)");
        }
        Pattern glob = glob(last);
        TreeMap<String, Input> found = new TreeMap<>();
        if (isRemote(p)) {
            ModelUri uri = ModelUri.parse(folder.matches("[a-z0-9]+:/") ? folder + "/" : folder);
            if (!uri.isObjectStore()) {
                throw new StorageException(StorageException.Kind.INVALID_URI, pattern, "not a gs:// or s3:// URI");
            }
            ObjectStore store = store(uri);
            retries.retrying(pattern, new Budget(settings, pattern), () -> {
                store.list(uri, o -> {
                    if (!o.relativeName().contains("/")
                            && glob.matcher(o.relativeName()).matches()) {
                        String location = uri.scheme() + "://" + uri.bucket() + "/" + o.name();
                        found.put(location, new Input(location, o.size()));
                        listed.put(location, o);
                    }
                });
                return null;
            });
        } else {
            Path dir = Path.of(folder.isEmpty() ? "/" : folder);
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("regex:" + glob.pattern());
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                for (Path f : s) {
                    if (Files.isRegularFile(f) && matcher.matches(f.getFileName())) {
                        found.put(f.toString(), new Input(f.toString(), Files.size(f)));
                    }
                }
            } catch (NoSuchFileException e) {
                throw new StorageException(StorageException.Kind.NOT_FOUND, pattern, "no folder " + dir);
            } catch (IOException e) {
                throw new StorageException(StorageException.Kind.FAILED, pattern, "listing " + dir + ": " + e, e);
            }
        }
        if (found.isEmpty()) {
            throw new StorageException(StorageException.Kind.NOT_FOUND, pattern, "no object matches");
        }
        return new ArrayList<>(found.values());
    }

    /**
     * The bytes of the object at {@code location} (listed by {@link #expand}, or any gs://, s3:// or local
     * location), as a stream: the caller reads it as it goes and closes it.
     */
    public InputStream open(String location) {
        return open(location, 0);
    }

    /**
     * The bytes of the object at {@code location} from offset {@code fromByte} to its end, as a stream: the store
     * sends only those (a ranged read; a local file's channel starts there). Opening is retried as a whole-object
     * open is, under the same budget. A listed object is read at its listed version (GCS generation, S3 ETag).
     */
    public InputStream open(String location, long fromByte) {
        if (fromByte < 0) {
            throw new IllegalArgumentException("offset " + fromByte);
        }
        if (!isRemote(location)) {
            try {
                FileChannel channel = FileChannel.open(Path.of(location), StandardOpenOption.READ);
                try {
                    channel.position(fromByte);
                } catch (IOException e) {
                    channel.close();
                    throw e;
                }
                return counted(Channels.newInputStream(channel));
            } catch (NoSuchFileException e) {
                throw new StorageException(StorageException.Kind.NOT_FOUND, location, "no such file");
            } catch (IOException e) {
                throw new StorageException(StorageException.Kind.FAILED, location, "reading: " + e, e);
            }
        }
        int slash = location.indexOf('/', location.indexOf("://") + 3);
        if (slash < 0) {
            throw new StorageException(StorageException.Kind.INVALID_URI, location, "names no object");
        }
        ModelUri bucket = ModelUri.parse(location.substring(0, slash));
        String name = location.substring(slash + 1);
        StoredObject o = listed.getOrDefault(location, new StoredObject(name, name, -1, null));
        ObjectStore store = store(bucket);
        // from byte 0, the client checks what it checks of a whole object as it reads (the AWS SDK's flexible
        // checksums on AWS); a ranged read has no checksum to check: the store's are the whole object's, and the
        // range is not the whole object (S3ObjectStore, GcsObjectStore)
        return counted(retries.retrying(
                location, new Budget(settings, location), () -> store.open(bucket, o, fromByte).stream()));
    }

    /** Bytes read so far from every stream {@link #open} gave (the shard's input, as the stores sent it). */
    public long bytesRead() {
        return bytesRead.get();
    }

    private InputStream counted(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    bytesRead.incrementAndGet();
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    bytesRead.addAndGet(n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                long skipped = super.skip(n);
                bytesRead.addAndGet(Math.max(skipped, 0));
                return skipped;
            }
        };
    }

    /**
     * Puts the local {@code file} into the folder {@code directory} as {@code name}, whole: one upload to an object
     * store, or a copy beside the target renamed over it (atomic) in a local folder, which is created if missing.
     */
    public void put(String directory, String name, Path file) {
        String dir = directory.replaceAll("/+$", "");
        if (isRemote(dir)) {
            ModelUri uri = ModelUri.parse(dir.matches("[a-z0-9]+:/") ? dir + "/" : dir);
            if (!uri.isObjectStore()) {
                throw new StorageException(StorageException.Kind.INVALID_URI, directory, "not a gs:// or s3:// URI");
            }
            String location = uri.scheme() + "://" + uri.bucket() + "/" + uri.listPrefix() + name;
            ObjectStore store = store(uri);
            retries.retrying(location, new Budget(settings, location), () -> {
                store.upload(uri.bucket(), uri.listPrefix() + name, file);
                return null;
            });
            return;
        }
        Path target = Path.of(dir.isEmpty() ? "/" : dir).resolve(name);
        try {
            Files.createDirectories(target.getParent());
            Path temp = Files.createTempFile(target.getParent(), "." + name + ".", ".tmp");
            try {
                Files.copy(file, temp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.FAILED, target.toString(), "writing: " + e, e);
        }
    }

    /** Whether {@code location} is a gs:// or s3:// URI (else a local path). */
    public static boolean isRemote(String location) {
        String s = location.toLowerCase(java.util.Locale.ROOT);
        return s.startsWith("gs://") || s.startsWith("s3://");
    }

    private ObjectStore store(ModelUri uri) {
        return stores.computeIfAbsent(
                uri.scheme(),
                s -> s.equals("gs")
                        ? new GcsObjectStore(settings, uri.text())
                        : new S3ObjectStore(settings, uri.text()));
    }

    /** A last-segment wildcard ({@code *}, {@code ?}) as a regular expression; everything else literal. */
    static Pattern glob(String segment) {
        StringBuilder re = new StringBuilder();
        for (char c : segment.toCharArray()) {
            switch (c) {
                case '*' -> re.append("[^/]*");
                case '?' -> re.append("[^/]");
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    @Override
    public void close() {
        stores.values().forEach(ObjectStore::close);
        stores.clear();
    }
}
