package dev.explainable.serving.runtime.storage;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * A model as a tar archive (gzip-compressed or not) on a web server: downloaded with {@code java.net.http}, unpacked
 * as it streams, with the same bounds and name checks as object-store folders (and no links: entries are files and
 * folders only). The archive holds the SavedModel folder's contents at its top, or in one top-level folder.
 */
final class HttpArchive {

    private final StorageSettings settings;
    private final ModelFetcher fetcher;

    HttpArchive(StorageSettings settings, ModelFetcher fetcher) {
        this.settings = settings;
        this.fetcher = fetcher;
    }

    /** Downloads and unpacks into {@code temp}; returns the model folder inside it. */
    Path download(ModelUri uri, Path temp, Budget budget) {
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(settings.requestTimeout())
                // never from https to http
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        Path unpacked = fetcher.retrying(uri.text(), budget, () -> {
            Path into = temp.resolve("archive");
            ModelFetcher.deleteQuietly(into);
            unpack(client, uri, into, budget);
            return into;
        });
        return modelRoot(unpacked);
    }

    private void unpack(HttpClient client, ModelUri uri, Path into, Budget budget) {
        HttpResponse<InputStream> response;
        try {
            response = client.send(
                    HttpRequest.newBuilder(URI.create(uri.text()))
                            .timeout(settings.requestTimeout())
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.UNAVAILABLE, uri.text(), "no answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(StorageException.Kind.FAILED, uri.text(), "interrupted");
        }
        int status = response.statusCode();
        if (status != 200) {
            try {
                response.body().close();
            } catch (IOException e) {
                // the status says it all
            }
            StorageException.Kind kind = status == 404 || status == 410
                    ? StorageException.Kind.NOT_FOUND
                    : status == 401 || status == 403
                            ? StorageException.Kind.ACCESS_DENIED
                            : status == 408 || status == 429 || status >= 500
                                    ? StorageException.Kind.UNAVAILABLE
                                    : StorageException.Kind.FAILED;
            throw new StorageException(kind, uri.text(), "HTTP " + status);
        }
        long bytesBefore = 0;
        // the JDK's client bounds the wait for the answer's headers, not for its body's bytes
        try (InputStream body = new WatchedStream(response.body(), uri.text(), settings.requestTimeout(), budget)) {
            Files.createDirectories(into);
            BufferedInputStream in = new BufferedInputStream(body, 64 * 1024);
            in.mark(2);
            boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
            in.reset();
            try (TarArchiveInputStream tar = new TarArchiveInputStream(gzip ? new GzipCompressorInputStream(in) : in)) {
                TarArchiveEntry entry;
                while ((entry = nextEntry(tar, uri)) != null) {
                    String name = entry.getName().replaceFirst("^(\\./)+", "").replaceAll("/+$", "");
                    if (name.isEmpty() || name.equals(".")) {
                        continue;
                    }
                    budget.addObject();
                    Path target = ObjectNames.resolve(into, name, uri.text());
                    if (entry.isDirectory()) {
                        Files.createDirectories(target);
                    } else if (entry.isFile()
                            && !entry.isSymbolicLink()
                            && !entry.isLink()
                            && !entry.isCharacterDevice()
                            && !entry.isBlockDevice()
                            && !entry.isFIFO()) {
                        Files.createDirectories(target.getParent());
                        try (OutputStream out = Files.newOutputStream(target)) {
                            bytesBefore += fetcher.copy(tar, out, uri.text(), budget, -1, (b, off, len) -> {});
                        }
                    } else {
                        throw new StorageException(
                                StorageException.Kind.UNSAFE_NAME,
                                uri.text(),
                                "refusing '" + name + "': a link or special file; model archives hold files and"
                                        + " folders only");
                    }
                }
            }
        } catch (IOException e) {
            budget.undoBytes(bytesBefore);
            throw ModelFetcher.local(uri, "unpacking into " + into, e);
        } catch (StorageException e) {
            if (e.retryable()) {
                budget.undoBytes(bytesBefore);
            }
            throw e;
        }
    }

    /** The next entry; a stream that is not a tar archive (or breaks off) says so. */
    private static TarArchiveEntry nextEntry(TarArchiveInputStream tar, ModelUri uri) {
        try {
            return tar.getNextEntry();
        } catch (IOException e) {
            throw new StorageException(
                    StorageException.Kind.UNAVAILABLE,
                    uri.text(),
                    "reading the archive (a tar or tar.gz of the SavedModel folder): " + e.getMessage(),
                    e);
        }
    }

    /** The archive's top, or its one top-level folder when only that holds saved_model.pb. */
    private static Path modelRoot(Path unpacked) {
        if (Files.isRegularFile(unpacked.resolve(ModelLayout.SAVED_MODEL))) {
            return unpacked;
        }
        List<Path> top = new ArrayList<>();
        try (var s = Files.list(unpacked)) {
            s.forEach(top::add);
        } catch (IOException e) {
            return unpacked;
        }
        if (top.size() == 1 && Files.isRegularFile(top.get(0).resolve(ModelLayout.SAVED_MODEL))) {
            return top.get(0);
        }
        return unpacked;
    }
}
