package dev.explainable.serving.runtime.service;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A load failure as callers of the API and the readiness probe see it: the exception's message with this process'
 * own folders (the model cache, the temporary folder) named for what they are instead of by their absolute paths.
 * The log keeps the full message for the pod's operator; the reason is served to anyone who reaches the pod.
 */
final class PublicReason {

    private PublicReason() {}

    static String of(Throwable e, Path cacheDir) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return redact(message, cacheDir);
    }

    static String redact(String message, Path cacheDir) {
        Set<String> cache = new LinkedHashSet<>();
        cache.add(cacheDir.toAbsolutePath().normalize().toString());
        cache.add(cacheDir.toString());
        String out = message;
        for (String folder : cache) {
            if (folder.length() > 1) {
                out = out.replace(folder, "<model cache>");
            }
        }
        String tmp = Path.of(System.getProperty("java.io.tmpdir"))
                .toAbsolutePath()
                .normalize()
                .toString();
        if (tmp.length() > 1) {
            out = out.replace(tmp, "<tmp>");
        }
        return out;
    }
}
