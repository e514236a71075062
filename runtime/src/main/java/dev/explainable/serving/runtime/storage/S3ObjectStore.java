package dev.explainable.serving.runtime.storage;

import java.net.URI;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Consumer;

import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Amazon S3 and S3-compatible stores through the AWS SDK for Java v2. Credentials come from the SDK's default chain:
 * environment keys (e.g. from a Secret), a web identity token (IRSA), EKS Pod Identity, profiles, the instance
 * profile; none found is an error unless anonymous access was asked for.
 */
final class S3ObjectStore implements ObjectStore {

    private final S3Client s3;
    private final boolean awsEndpoint;

    S3ObjectStore(StorageSettings settings, String location) {
        AwsCredentialsProvider credentials = credentials(settings, location);
        this.awsEndpoint = StorageSettings.nonBlank(settings.s3Endpoint()).isEmpty();
        S3ClientBuilder b = S3Client.builder()
                .credentialsProvider(credentials)
                .httpClientBuilder(Apache5HttpClient.builder()
                        .connectionTimeout(settings.requestTimeout())
                        .socketTimeout(settings.requestTimeout()))
                // ModelFetcher retries, with backoff, under the fetch's deadline
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .forcePathStyle(settings.s3PathStyle())
                // AWS: the SDK asks for and checks the object's flexible checksum (CRC32, CRC32C, SHA) where it has
                // one. Not of S3-compatible stores: some refuse the header (501); their ETag MD5 is checked instead
                .responseChecksumValidation(
                        awsEndpoint
                                ? ResponseChecksumValidation.WHEN_SUPPORTED
                                : ResponseChecksumValidation.WHEN_REQUIRED)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED);
        StorageSettings.nonBlank(settings.s3Endpoint()).map(URI::create).ifPresent(b::endpointOverride);
        String region = StorageSettings.nonBlank(settings.s3Region()).orElse(null);
        if (region != null) {
            b.region(Region.of(region));
        } else {
            Region fromEnvironment = defaultRegion();
            // no region anywhere: us-east-1, and S3 follows a bucket to its own region
            b.region(fromEnvironment != null ? fromEnvironment : Region.US_EAST_1)
                    .crossRegionAccessEnabled(fromEnvironment == null);
        }
        this.s3 = b.build();
    }

    private static Region defaultRegion() {
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (SdkClientException e) {
            return null;
        }
    }

    private static AwsCredentialsProvider credentials(StorageSettings settings, String location) {
        if (settings.anonymous()) {
            return AnonymousCredentialsProvider.create();
        }
        DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
        try {
            chain.resolveCredentials();
        } catch (SdkClientException e) {
            throw new StorageException(
                    StorageException.Kind.NO_CREDENTIALS,
                    location,
                    "no AWS credentials (environment keys, e.g. from a Secret; IRSA's web identity token; EKS Pod"
                            + " Identity; or explain.storage.anonymous=true for a public bucket): " + e.getMessage());
        }
        return chain;
    }

    @Override
    public void list(ModelUri uri, Consumer<StoredObject> each) {
        String prefix = uri.listPrefix();
        try {
            var pages = s3.listObjectsV2Paginator(ListObjectsV2Request.builder()
                    .bucket(uri.bucket())
                    .prefix(prefix)
                    .maxKeys(PAGE_SIZE)
                    .build());
            // lazy: the next page is asked for only once this one is used up
            for (S3Object o : pages.contents()) {
                if (o.key().endsWith("/")) {
                    continue;
                }
                each.accept(new StoredObject(
                        o.key(), o.key().substring(prefix.length()), o.size() == null ? 0 : o.size(), o.eTag()));
            }
        } catch (SdkException e) {
            throw mapped(e, uri.text(), "listing bucket " + uri.bucket());
        }
    }

    @Override
    public Opened open(ModelUri uri, StoredObject object, long from) {
        String location = "s3://" + uri.bucket() + "/" + object.name();
        try {
            ResponseInputStream<GetObjectResponse> in = s3.getObject(GetObjectRequest.builder()
                    .bucket(uri.bucket())
                    .key(object.name())
                    // a ranged GET: S3 sends the bytes from here to the end, and no whole-object checksum to check
                    // them against (neither its flexible checksums nor the ETag's MD5 cover a range)
                    .range(from > 0 ? "bytes=" + from + "-" : null)
                    .checksumMode(awsEndpoint && from == 0 ? ChecksumMode.ENABLED : null)
                    .build());
            String etag = in.response().eTag();
            if (object.version() != null && etag != null && !etag.equals(object.version())) {
                // the listed version or nothing (not If-Match: some S3-compatible stores refuse it)
                in.abort();
                throw new StorageException(
                        StorageException.Kind.FAILED,
                        location,
                        "the object changed during the download (ETag " + etag + ", listed " + object.version() + ")");
            }
            return new Opened(new S3Stream(in, location), from == 0 ? md5OfEtag(in.response()) : null, null);
        } catch (SdkException e) {
            throw mapped(e, location, "reading");
        }
    }

    @Override
    public void upload(String bucket, String name, java.nio.file.Path file) {
        String location = "s3://" + bucket + "/" + name;
        try {
            // one PUT (up to 5 GiB): S3 shows the object only once it is complete
            s3.putObject(
                    software.amazon.awssdk.services.s3.model.PutObjectRequest.builder()
                            .bucket(bucket)
                            .key(name)
                            .build(),
                    software.amazon.awssdk.core.sync.RequestBody.fromFile(file));
        } catch (SdkException e) {
            throw mapped(e, location, "writing");
        }
    }

    /**
     * The ETag as an MD5 where it is one: a single-part upload's ETag is its MD5, except under SSE-KMS or SSE-C; a
     * multipart ETag ("...-N") is not.
     */
    static byte[] md5OfEtag(GetObjectResponse r) {
        String etag = r.eTag() == null ? "" : r.eTag().replace("\"", "").toLowerCase(Locale.ROOT);
        boolean kms = r.serverSideEncryption() == ServerSideEncryption.AWS_KMS
                || r.serverSideEncryption() == ServerSideEncryption.AWS_KMS_DSSE;
        if (kms || r.sseCustomerAlgorithm() != null || !etag.matches("[0-9a-f]{32}")) {
            return null;
        }
        return HexFormat.of().parseHex(etag);
    }

    static StorageException mapped(SdkException e, String location, String what) {
        if (e instanceof S3Exception s) {
            int status = s.statusCode();
            String code = s.awsErrorDetails() == null ? "" : s.awsErrorDetails().errorCode();
            String detail = what + ": HTTP " + status + " " + code + " "
                    + (s.awsErrorDetails() == null
                            ? s.getMessage()
                            : s.awsErrorDetails().errorMessage());
            if (status == 404 || "NoSuchBucket".equals(code) || "NoSuchKey".equals(code)) {
                return new StorageException(StorageException.Kind.NOT_FOUND, location, detail, e);
            }
            if (status == 401
                    || status == 403
                    || "AccessDenied".equals(code)
                    || "InvalidAccessKeyId".equals(code)
                    || "SignatureDoesNotMatch".equals(code)) {
                return new StorageException(
                        StorageException.Kind.ACCESS_DENIED,
                        location,
                        detail + " (the pod's identity needs s3:ListBucket and s3:GetObject on the bucket)",
                        e);
            }
            if (status == 412) {
                return new StorageException(
                        StorageException.Kind.FAILED, location, "the object changed during the download", e);
            }
            if (status == 408 || status == 429 || (status >= 500 && status != 501) || "SlowDown".equals(code)) {
                return new StorageException(StorageException.Kind.UNAVAILABLE, location, detail, e);
            }
            return new StorageException(StorageException.Kind.FAILED, location, detail, e);
        }
        // no answer: connection refused or reset, a timeout, a checksum the SDK found wrong while reading
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (message.toLowerCase(Locale.ROOT).contains("checksum")) {
            return new StorageException(StorageException.Kind.CHECKSUM_MISMATCH, location, what + ": " + message, e);
        }
        return new StorageException(StorageException.Kind.UNAVAILABLE, location, what + ": " + message, e);
    }

    @Override
    public void close() {
        s3.close();
    }

    /**
     * The SDK's errors inside reads (a checksum found wrong at the end) as {@link StorageException}s. Closed before
     * its end, it aborts the connection: the SDK's close reads the rest of the object to reuse the connection, which
     * on a stalled download waits for the socket timeout and on a large one reads it all.
     */
    private static final class S3Stream extends java.io.FilterInputStream {
        private final ResponseInputStream<?> response;
        private final String location;
        private volatile boolean ended;

        S3Stream(ResponseInputStream<?> in, String location) {
            super(in);
            this.response = in;
            this.location = location;
        }

        @Override
        public int read() throws java.io.IOException {
            try {
                return ended(super.read());
            } catch (SdkException e) {
                throw mapped(e, location, "reading");
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws java.io.IOException {
            try {
                return ended(super.read(b, off, len));
            } catch (SdkException e) {
                throw mapped(e, location, "reading");
            }
        }

        private int ended(int read) {
            if (read < 0) {
                ended = true;
            }
            return read;
        }

        @Override
        public void close() throws java.io.IOException {
            if (!ended) {
                response.abort();
            }
            super.close();
        }
    }
}
