package dev.explainable.serving.runtime.storage;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A model folder in an object store ({@code gs://bucket/path}, {@code s3://bucket/path}) or a model archive on a web
 * server ({@code https://host/model.tar.gz}).
 *
 * @param scheme {@code gs}, {@code s3}, {@code http} or {@code https}
 * @param bucket the bucket (object stores), or the host (archives)
 * @param prefix the folder inside the bucket, without leading or trailing slashes ("" for the bucket's top); for an
 *     archive the whole URI
 * @param text the URI as given
 */
public record ModelUri(String scheme, String bucket, String prefix, String text) {

    /** Whether {@code modelDir} names a remote location the fetcher downloads, rather than a local folder. */
    public static boolean isRemote(String modelDir) {
        if (modelDir == null) {
            return false;
        }
        String s = modelDir.toLowerCase(Locale.ROOT);
        return s.startsWith("gs://") || s.startsWith("s3://") || s.startsWith("http://") || s.startsWith("https://");
    }

    /** Parses a remote model URI; {@link StorageException} ({@code INVALID_URI}) says what is wrong. */
    public static ModelUri parse(String text) {
        if (!isRemote(text)) {
            throw new StorageException(
                    StorageException.Kind.INVALID_URI,
                    text,
                    "not a model URI: expected gs://bucket/path, s3://bucket/path or http(s)://host/archive.tar.gz");
        }
        String scheme = text.substring(0, text.indexOf(':')).toLowerCase(Locale.ROOT);
        if (scheme.equals("http") || scheme.equals("https")) {
            try {
                URI u = new URI(text);
                if (u.getHost() == null) {
                    throw new StorageException(StorageException.Kind.INVALID_URI, text, "the URL names no host");
                }
                return new ModelUri(scheme, u.getHost(), text, text);
            } catch (URISyntaxException e) {
                throw new StorageException(StorageException.Kind.INVALID_URI, text, "not a URL: " + e.getMessage());
            }
        }
        String rest = text.substring(scheme.length() + 3);
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("^/+|/+$", "");
        if (!bucket.matches("[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]")) {
            throw new StorageException(
                    StorageException.Kind.INVALID_URI,
                    text,
                    "'" + bucket + "' is not a bucket name (3 to 222 of a-z, 0-9, '.', '-', '_')");
        }
        return new ModelUri(scheme, bucket, prefix, text);
    }

    /** Whether this names an object-store folder (listed object by object) rather than an archive. */
    public boolean isObjectStore() {
        return scheme.equals("gs") || scheme.equals("s3");
    }

    /** The object-name prefix that selects the folder's objects: the folder and a slash, or "" for the top. */
    public String listPrefix() {
        return prefix.isEmpty() ? "" : prefix + "/";
    }

    @Override
    public String toString() {
        return text;
    }
}
