package dev.explainable.serving.runtime.storage;

import java.io.InputStream;
import java.util.function.Consumer;

/**
 * An object store as the fetcher needs it: list a folder, read an object (and, for the batch entry, write one). Implementations map their client's errors
 * to {@link StorageException}s ({@link StorageException.Kind#UNAVAILABLE} for those worth retrying) and make no
 * retries of their own: {@link ModelFetcher} retries, with backoff, under one deadline.
 */
interface ObjectStore extends AutoCloseable {

    /** Objects per listing request: the most either store gives. */
    int PAGE_SIZE = 1000;

    /**
     * Hands every object under {@code uri}'s folder to {@code each} (names ending in "/" are folder markers and left
     * out) as its page arrives; the next page is asked for only once this one is handed over. {@code each} throws to
     * end the listing, so a listing costs one page of memory beyond what {@code each} keeps.
     */
    void list(ModelUri uri, Consumer<StoredObject> each);

    /** The object's bytes, and the checksums the store gives for them. */
    default Opened open(ModelUri uri, StoredObject object) {
        return open(uri, object, 0);
    }

    /**
     * The object's bytes from offset {@code from} to its end (a ranged read: the store sends only those). From 0, the
     * checksums the store gives for the whole object; from further on, none: they are the whole object's, which a
     * ranged read does not see, so a caller cannot check them.
     */
    Opened open(ModelUri uri, StoredObject object, long from);

    /**
     * Writes the local file {@code file} as object {@code name} of {@code bucket} in one upload: the object appears
     * whole or not at all, and replaces one of the same name (the batch entry's result files).
     */
    void upload(String bucket, String name, java.nio.file.Path file);

    @Override
    void close();

    /**
     * An object being read.
     *
     * @param stream its bytes (a checksum the store sends with them, as S3's flexible checksums, may also be checked
     *     by the client as they are read)
     * @param md5 the store's MD5 of the object (GCS md5Hash, an S3 single-part ETag), or null
     * @param crc32c the store's CRC32C of the object (GCS), or null
     */
    record Opened(InputStream stream, byte[] md5, Integer crc32c) {}
}
