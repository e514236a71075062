package dev.explainable.serving.runtime.storage;

import java.time.Duration;
import java.util.Optional;

/**
 * How the fetcher reaches the stores and the bounds on its work ({@code explain.storage.*}: the runtime's
 * configuration holds their names and defaults, and builds this record from them).
 *
 * @param gcsEndpoint Cloud Storage endpoint, e.g. {@code http://127.0.0.1:4443} for an emulator; null for Google's
 * @param s3Endpoint S3 endpoint of an S3-compatible store; null for AWS
 * @param s3PathStyle path-style requests ({@code endpoint/bucket/key}), which most S3-compatible stores need
 * @param s3Region the S3 region; null for the SDK's default region chain (AWS_REGION, profile), else us-east-1 with
 *     cross-region access
 * @param anonymous send unsigned requests (public buckets, emulators); otherwise missing credentials are an error,
 *     never a silent fallback to anonymous access
 * @param maxBytes most bytes one model may have (explain.storage.max-bytes)
 * @param maxObjects most objects (or archive entries) one model may have (explain.storage.max-objects)
 * @param timeout longest one fetch may take, retries included (explain.storage.timeout)
 * @param attempts attempts per request before a transient failure is final (explain.storage.attempts)
 * @param requestTimeout longest one request may wait for a connection, an answer or its next bytes: a download that
 *     receives nothing for this long is given up as stalled, and retried (explain.storage.request-timeout)
 */
public record StorageSettings(
        String gcsEndpoint,
        String s3Endpoint,
        boolean s3PathStyle,
        String s3Region,
        boolean anonymous,
        long maxBytes,
        int maxObjects,
        Duration timeout,
        int attempts,
        Duration requestTimeout) {

    static Optional<String> nonBlank(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.trim());
    }
}
