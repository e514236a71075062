package dev.explainable.serving.runtime.storage;

import java.io.InputStream;
import java.util.List;

/**
 * An object store as the fetcher needs it: list a folder, read an object. Implementations map their client's errors
 * to {@link StorageException}s ({@link StorageException.Kind#UNAVAILABLE} for those worth retrying) and make no
 * retries of their own: {@link ModelFetcher} retries, with backoff, under one deadline.
 */
interface ObjectStore extends AutoCloseable {

    /** Every object under {@code uri}'s folder (names ending in "/" are folder markers and left out). */
    List<StoredObject> list(ModelUri uri);

    /** The object's bytes, and the checksums the store gives for them. */
    Opened open(ModelUri uri, StoredObject object);

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
