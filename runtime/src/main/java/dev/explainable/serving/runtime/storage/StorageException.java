package dev.explainable.serving.runtime.storage;

/**
 * Why a model could not be fetched, in words for the readiness check, the init container's termination message and
 * so the operator's {@code ModelFetchFailed} status: what failed, where, and what to check.
 */
public class StorageException extends RuntimeException {

    /** What kind of failure: decides whether it is retried and how it reads. */
    public enum Kind {
        /** The URI does not parse. */
        INVALID_URI("invalid model URI"),
        /** No bucket, no object under the folder, or an object gone during the download. */
        NOT_FOUND("not found"),
        /** The store refused the credentials or their permissions. */
        ACCESS_DENIED("access denied"),
        /** No credentials were found and anonymous access was not asked for. */
        NO_CREDENTIALS("no credentials"),
        /** The folder is not a SavedModel folder (no saved_model.pb, missing variable shards). */
        BAD_LAYOUT("not a SavedModel folder"),
        /** A bound (bytes, objects, time) was reached: the message names the setting. */
        LIMIT_EXCEEDED("limit exceeded"),
        /** An object name that would land outside the model folder (.., absolute path), or an archive link. */
        UNSAFE_NAME("unsafe object name"),
        /** The bytes received do not match the store's checksum of the object. */
        CHECKSUM_MISMATCH("checksum mismatch"),
        /** The store did not answer, or answered with a server error, on every attempt: worth retrying later. */
        UNAVAILABLE("store unavailable"),
        /** Anything else the store refused. */
        FAILED("failed");

        private final String words;

        Kind(String words) {
            this.words = words;
        }

        /** The kind in words, as the message starts. */
        public String words() {
            return words;
        }
    }

    private final Kind kind;

    public StorageException(Kind kind, String location, String detail) {
        this(kind, location, detail, null);
    }

    public StorageException(Kind kind, String location, String detail, Throwable cause) {
        super("fetching " + location + ": " + kind.words() + ": " + detail, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * Whether a later attempt may succeed: server errors, broken connections, a transfer whose bytes came out wrong;
     * not refusals.
     */
    public boolean retryable() {
        return kind == Kind.UNAVAILABLE || kind == Kind.CHECKSUM_MISMATCH;
    }
}
