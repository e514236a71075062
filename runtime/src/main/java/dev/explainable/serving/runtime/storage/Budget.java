package dev.explainable.serving.runtime.storage;

import java.time.Duration;
import java.time.Instant;

/** The bounds on one fetch: its deadline, bytes and objects; a refusal names the setting to raise. */
final class Budget {

    private final StorageSettings settings;
    private final String location;
    private final Instant deadline;
    private long bytes;
    private int objects;

    Budget(StorageSettings settings, String location) {
        this.settings = settings;
        this.location = location;
        this.deadline = Instant.now().plus(settings.timeout());
    }

    Instant deadline() {
        return deadline;
    }

    Duration left() {
        return Duration.between(Instant.now(), deadline);
    }

    void checkTime() {
        if (Instant.now().isAfter(deadline)) {
            throw timedOut();
        }
    }

    StorageException timedOut() {
        return new StorageException(
                StorageException.Kind.LIMIT_EXCEEDED,
                location,
                "the download took longer than explain.storage.timeout (" + settings.timeout() + ")");
    }

    /** As a listing arrives, before any download: the folder's size and object count so far. */
    void checkListing(long totalBytes, int count) {
        if (count > settings.maxObjects()) {
            throw new StorageException(
                    StorageException.Kind.LIMIT_EXCEEDED,
                    location,
                    "the folder holds more than " + settings.maxObjects() + " objects, more than"
                            + " explain.storage.max-objects (" + settings.maxObjects() + ") allows: point the model URI"
                            + " at the model's own folder, the one holding saved_model.pb (a bucket's top or a parent"
                            + " folder lists every object below it)");
        }
        if (totalBytes > settings.maxBytes()) {
            throw tooManyBytes(totalBytes);
        }
    }

    /** As bytes arrive (archives have no listing; a listed size may be exceeded). */
    void addBytes(long n) {
        bytes += n;
        if (bytes > settings.maxBytes()) {
            throw tooManyBytes(bytes);
        }
    }

    void undoBytes(long n) {
        bytes -= n;
    }

    void addObject() {
        objects++;
        if (objects > settings.maxObjects()) {
            throw tooManyObjects(objects);
        }
    }

    private StorageException tooManyObjects(long count) {
        return new StorageException(
                StorageException.Kind.LIMIT_EXCEEDED,
                location,
                "the model has " + (count > settings.maxObjects() ? "more than " + settings.maxObjects() : count)
                        + " objects, more than explain.storage.max-objects (" + settings.maxObjects() + ") allows");
    }

    private StorageException tooManyBytes(long total) {
        return new StorageException(
                StorageException.Kind.LIMIT_EXCEEDED,
                location,
                "the model has at least " + total + " bytes, more than explain.storage.max-bytes ("
                        + settings.maxBytes() + ") allows");
    }
}
