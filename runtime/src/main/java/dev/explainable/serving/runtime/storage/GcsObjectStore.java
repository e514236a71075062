package dev.explainable.serving.runtime.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import com.google.api.gax.paging.Page;
import com.google.api.gax.retrying.BasicResultRetryAlgorithm;
import com.google.api.gax.retrying.ResultRetryAlgorithm;
import com.google.auth.Credentials;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.ReadChannel;
import com.google.cloud.ServiceOptions;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import com.google.cloud.storage.StorageRetryStrategy;

/**
 * Google Cloud Storage through Google's Java client (JSON API over HTTP). Credentials are Application Default
 * Credentials: {@code GOOGLE_APPLICATION_CREDENTIALS} (a service-account key, e.g. from a Secret), GKE Workload
 * Identity (the metadata server), or gcloud's user credentials locally; none found is an error unless anonymous
 * access was asked for.
 */
final class GcsObjectStore implements ObjectStore {

    /** Sent as the client's project: reading objects bills the bucket's project, not this one. */
    private static final String PROJECT = "explainable-serving";

    private final Storage storage;
    /** The listed objects' checksums (base64, as the store gives them), those of the listed generation, by name. */
    private final Map<String, Checksums> listed = new ConcurrentHashMap<>();

    private record Checksums(String md5, String crc32c) {}

    GcsObjectStore(StorageSettings settings, String location) {
        int timeoutMs = (int) settings.requestTimeout().toMillis();
        StorageOptions.Builder b = StorageOptions.http()
                .setProjectId(PROJECT)
                .setCredentials(credentials(settings, location))
                // ModelFetcher retries, with backoff, under the fetch's deadline. Both: the retry settings bound
                // the client's calls, but its read channel reopens a download after every read error the retry
                // strategy calls retryable, uncounted: a stalled download became one read timeout per reopen, until
                // the fetch's deadline and past it
                .setRetrySettings(ServiceOptions.getNoRetrySettings())
                .setStorageRetryStrategy(NeverRetry.INSTANCE)
                .setTransportOptions(HttpTransportOptions.newBuilder()
                        .setConnectTimeout(timeoutMs)
                        .setReadTimeout(timeoutMs)
                        .build());
        StorageSettings.nonBlank(settings.gcsEndpoint()).ifPresent(b::setHost);
        this.storage = b.build().getService();
    }

    private static Credentials credentials(StorageSettings settings, String location) {
        if (settings.anonymous()) {
            return NoCredentials.getInstance();
        }
        try {
            return GoogleCredentials.getApplicationDefault();
        } catch (IOException e) {
            throw new StorageException(
                    StorageException.Kind.NO_CREDENTIALS,
                    location,
                    "no Google Application Default Credentials (set GOOGLE_APPLICATION_CREDENTIALS to a service-account"
                            + " key file, run with Workload Identity, or set explain.storage.anonymous=true for a"
                            + " public bucket): " + e.getMessage());
        }
    }

    @Override
    public void list(ModelUri uri, Consumer<StoredObject> each) {
        String prefix = uri.listPrefix();
        listed.clear();
        try {
            Page<Blob> page = storage.list(
                    uri.bucket(), Storage.BlobListOption.prefix(prefix), Storage.BlobListOption.pageSize(PAGE_SIZE));
            // iterateAll asks for the next page only once this one is used up
            for (Blob blob : page.iterateAll()) {
                if (blob.getName().endsWith("/")) {
                    continue;
                }
                each.accept(new StoredObject(
                        blob.getName(),
                        blob.getName().substring(prefix.length()),
                        blob.getSize() == null ? 0 : blob.getSize(),
                        blob.getGeneration() == null ? null : String.valueOf(blob.getGeneration())));
                // after each took it: no more entries than the listing the fetcher keeps
                listed.put(blob.getName(), new Checksums(blob.getMd5(), blob.getCrc32c()));
            }
        } catch (com.google.cloud.storage.StorageException e) {
            throw mapped(e, uri.text(), "listing bucket " + uri.bucket());
        }
    }

    @Override
    public Opened open(ModelUri uri, StoredObject object, long from) {
        String location = "gs://" + uri.bucket() + "/" + object.name();
        try {
            Long generation = object.version() == null ? null : Long.valueOf(object.version());
            BlobId id = BlobId.of(uri.bucket(), object.name(), generation);
            Checksums checksums = null;
            // a ranged read gets no checksums: the store's are the whole object's, which it does not see
            if (from == 0) {
                checksums = listed.get(object.name());
                if (checksums == null) {
                    Blob blob = storage.get(id);
                    if (blob == null) {
                        throw new StorageException(
                                StorageException.Kind.NOT_FOUND,
                                location,
                                "the object disappeared during the download");
                    }
                    checksums = new Checksums(blob.getMd5(), blob.getCrc32c());
                }
            }
            ReadChannel channel = storage.reader(id);
            channel.setChunkSize(2 * 1024 * 1024);
            if (from > 0) {
                // the channel asks for its chunks from here on (Range requests): the bytes before are never sent
                channel.seek(from);
            }
            return checksums == null
                    ? new Opened(new GcsStream(channel, location), null, null)
                    : new Opened(new GcsStream(channel, location), decode(checksums.md5()), crc32c(checksums.crc32c()));
        } catch (com.google.cloud.storage.StorageException e) {
            throw mapped(e, location, "reading");
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.UNAVAILABLE, location, "seeking to " + from + ": " + e, e);
        }
    }

    @Override
    public void upload(String bucket, String name, java.nio.file.Path file) {
        String location = "gs://" + bucket + "/" + name;
        try {
            // one resumable upload: the object is visible only once it is complete
            storage.createFrom(
                    com.google.cloud.storage.BlobInfo.newBuilder(bucket, name).build(), file);
        } catch (com.google.cloud.storage.StorageException e) {
            throw mapped(e, location, "writing");
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.FAILED, location, "reading " + file + ": " + e, e);
        }
    }

    private static byte[] decode(String base64) {
        return base64 == null ? null : Base64.getDecoder().decode(base64);
    }

    private static Integer crc32c(String base64) {
        byte[] b = decode(base64);
        return b == null || b.length != 4 ? null : ByteBuffer.wrap(b).getInt();
    }

    static StorageException mapped(com.google.cloud.storage.StorageException e, String location, String what) {
        int code = e.getCode();
        String detail = what + ": HTTP " + code + " " + e.getMessage();
        if (code == 404) {
            return new StorageException(StorageException.Kind.NOT_FOUND, location, detail, e);
        }
        if (code == 401 || code == 403) {
            return new StorageException(
                    StorageException.Kind.ACCESS_DENIED,
                    location,
                    detail + " (the pod's identity needs storage.objects.list and storage.objects.get on the bucket)",
                    e);
        }
        if (code == 0 || code == 408 || code == 429 || code >= 500 || e.isRetryable()) {
            return new StorageException(StorageException.Kind.UNAVAILABLE, location, detail, e);
        }
        return new StorageException(StorageException.Kind.FAILED, location, detail, e);
    }

    @Override
    public void close() {
        try {
            storage.close();
        } catch (Exception e) {
            // nothing held that outlives the process
        }
    }

    /** The client retries nothing, not even inside a read channel. */
    private enum NeverRetry implements StorageRetryStrategy {
        INSTANCE;

        private static final ResultRetryAlgorithm<Object> NEVER = new BasicResultRetryAlgorithm<>() {
            @Override
            public boolean shouldRetry(Throwable previousThrowable, Object previousResponse) {
                return false;
            }
        };

        @Override
        public ResultRetryAlgorithm<?> getIdempotentHandler() {
            return NEVER;
        }

        @Override
        public ResultRetryAlgorithm<?> getNonidempotentHandler() {
            return NEVER;
        }
    }

    /** The read channel as a stream; the client's errors inside reads become {@link StorageException}s. */
    private static final class GcsStream extends BulkInputStream {
        private final ReadChannel channel;
        private final java.io.InputStream in;
        private final String location;

        GcsStream(ReadChannel channel, String location) {
            this.channel = channel;
            this.in = Channels.newInputStream(channel);
            this.location = location;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (com.google.cloud.storage.StorageException e) {
                throw mapped(e, location, "reading");
            } catch (IOException e) {
                if (e.getCause() instanceof com.google.cloud.storage.StorageException se) {
                    throw mapped(se, location, "reading");
                }
                throw e;
            }
        }

        @Override
        public void close() {
            channel.close();
        }
    }
}
