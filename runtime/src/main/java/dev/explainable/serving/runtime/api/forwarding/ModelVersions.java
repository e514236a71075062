package dev.explainable.serving.runtime.api.forwarding;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Set;

import org.jboss.logging.Logger;

import dev.explainable.serving.contract.VersionList;

/**
 * The model's versions, as the versions file ({@code explain.routing.versions-file}) lists them: the operator mounts
 * the model's versions ConfigMap there, and the kubelet replaces its content when a version is added or removed (by
 * swapping a symbolic link to a new folder), so no pod is rolled for it. The names are read again only when the file
 * changes: its real path (the kubelet's swap changes it), modification time or size; reading a file costs at most
 * {@link VersionList#MAX_BYTES}. A file that is missing, unreadable, not a regular file or larger than that leaves the
 * versions unknown, and {@link VersionForwarder} then forwards nothing.
 */
final class ModelVersions {

    private static final Logger LOG = Logger.getLogger(ModelVersions.class);

    /** The versions cannot be known now; the message says why (for the log, not for clients). */
    static final class UnknownException extends Exception {
        UnknownException(String message) {
            super(message, null, false, false);
        }
    }

    private record Snapshot(Path real, FileTime modified, long size, Set<String> names) {}

    private final Path file;
    private volatile Snapshot cached;
    /** The last problem logged, so that a lasting one is logged once, not per request. */
    private volatile String logged;

    ModelVersions(Path file) {
        this.file = file;
    }

    /** The file's path as configured. */
    Path file() {
        return file;
    }

    /** The versions the file lists now. */
    Set<String> current() throws UnknownException {
        try {
            Set<String> names;
            try {
                names = read();
            } catch (NoSuchFileException e) {
                // the kubelet may have removed the old content between resolving the link and reading: once more
                names = read();
            }
            if (logged != null) {
                LOG.infof("the versions file %s can be read again", file);
                logged = null;
            }
            return names;
        } catch (IOException | RuntimeException e) {
            String problem = e instanceof NoSuchFileException
                    ? "it does not exist"
                    : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (!problem.equals(logged)) {
                LOG.warnf(
                        "the versions file %s (explain.routing.versions-file) cannot be read (%s): no request is "
                                + "forwarded to another version until it can",
                        file, problem);
                logged = problem;
            }
            throw new UnknownException(problem);
        }
    }

    private Set<String> read() throws IOException {
        Path real = file.toRealPath();
        BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class);
        if (!attributes.isRegularFile()) {
            throw new IOException("not a regular file");
        }
        Snapshot s = cached;
        if (s != null
                && s.real().equals(real)
                && s.modified().equals(attributes.lastModifiedTime())
                && s.size() == attributes.size()) {
            return s.names();
        }
        if (attributes.size() > VersionList.MAX_BYTES) {
            throw new IOException("larger than " + VersionList.MAX_BYTES + " bytes");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(real)) {
            bytes = in.readNBytes(VersionList.MAX_BYTES + 1);
        }
        if (bytes.length > VersionList.MAX_BYTES) {
            throw new IOException("larger than " + VersionList.MAX_BYTES + " bytes");
        }
        Set<String> names = Set.copyOf(VersionList.parse(new String(bytes, StandardCharsets.UTF_8)));
        // a change after the attributes were read shows as a newer time at the next call, which reads again
        cached = new Snapshot(real, attributes.lastModifiedTime(), attributes.size(), names);
        return names;
    }
}
