package dev.explainable.serving.runtime.service;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.jboss.logging.Logger;

import dev.explainable.serving.runtime.config.RuntimeOptions;
import dev.explainable.serving.runtime.storage.ModelFetcher;
import dev.explainable.serving.runtime.storage.ModelUri;
import dev.explainable.serving.runtime.storage.StorageSettings;

/**
 * Where the loader finds the model: {@code explain.model.dir} itself when it is a folder, or, when it is a URI
 * ({@code gs://}, {@code s3://}, {@code http(s)://}), a checked local copy the {@link ModelFetcher} made in the cache
 * folder first — so {@code EXPLAIN_MODEL_DIR=gs://bucket/model java -jar ...} serves the model.
 */
public final class ModelSource {

    private static final Logger LOG = Logger.getLogger(ModelSource.class);

    private ModelSource() {}

    /** {@code options} with a local model folder; a failed fetch throws a StorageException saying why. */
    public static RuntimeOptions local(RuntimeOptions options, StorageSettings storage, Path cacheDir) {
        String dir = options.model().dir();
        if (!ModelUri.isRemote(dir)) {
            return options;
        }
        Path destination = cacheDir.resolve(cacheName(dir));
        LOG.infof("fetching %s into %s", dir, destination);
        new ModelFetcher(storage).fetch(dir, destination);
        return options.withModelDir(destination.toString());
    }

    /** The cache folder's default: explainable-serving/models under java.io.tmpdir. */
    public static Path defaultCacheDir() {
        return Path.of(System.getProperty("java.io.tmpdir"), "explainable-serving", "models");
    }

    /** A readable, collision-free folder name for a URI: its last segments and a hash of the whole. */
    static String cacheName(String uri) {
        String readable = uri.replaceAll("^[a-z0-9]+://", "").replaceAll("[^A-Za-z0-9._-]+", "-");
        if (readable.length() > 60) {
            readable = readable.substring(readable.length() - 60);
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(uri.getBytes(StandardCharsets.UTF_8));
            return readable.replaceAll("^[-.]+", "") + "-" + HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
