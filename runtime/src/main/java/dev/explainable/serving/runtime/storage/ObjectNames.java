package dev.explainable.serving.runtime.storage;

import java.nio.file.Path;

/** Object and archive entry names as local paths: only names that stay inside the model folder. */
final class ObjectNames {

    private ObjectNames() {}

    /**
     * The local path of {@code relativeName} below {@code root}; {@code UNSAFE_NAME} for an absolute name, a ".." or
     * "." or empty segment, a backslash or a control character: such a name could write outside the folder.
     */
    static Path resolve(Path root, String relativeName, String location) {
        String why = null;
        if (relativeName.isEmpty()) {
            why = "an empty name";
        } else if (relativeName.startsWith("/")) {
            why = "an absolute path";
        } else if (relativeName.indexOf('\\') >= 0) {
            why = "a backslash";
        } else if (relativeName.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            why = "a control character";
        } else {
            for (String segment : relativeName.split("/", -1)) {
                if (segment.equals("..")) {
                    why = "a '..' segment";
                } else if (segment.equals(".") || segment.isEmpty()) {
                    why = "an empty or '.' segment";
                }
                if (why != null) {
                    break;
                }
            }
        }
        Path path = root.resolve(relativeName).normalize();
        if (why == null && !path.startsWith(root)) {
            why = "a path outside the model folder";
        }
        if (why != null) {
            throw new StorageException(
                    StorageException.Kind.UNSAFE_NAME,
                    location,
                    "refusing '" + printable(relativeName) + "': " + why
                            + " would write outside the model folder (path traversal)");
        }
        return path;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(200).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
