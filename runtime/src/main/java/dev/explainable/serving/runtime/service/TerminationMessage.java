package dev.explainable.serving.runtime.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The container's termination message: Kubernetes shows the content of {@code /dev/termination-log} (4 KiB). */
public final class TerminationMessage {

    /** Where Kubernetes reads it. */
    public static final Path LOG = Path.of("/dev/termination-log");

    private TerminationMessage() {}

    /** Writes {@code message} to {@code log} where it exists and is writable (in a container); else nothing. */
    public static void write(String message, Path log) {
        if (!Files.isWritable(log)) {
            return;
        }
        try {
            byte[] b = message.getBytes(StandardCharsets.UTF_8);
            Files.write(log, b.length > 4000 ? Arrays.copyOf(b, 4000) : b);
        } catch (IOException e) {
            System.err.println("could not write " + log + ": " + e.getMessage());
        }
    }
}
