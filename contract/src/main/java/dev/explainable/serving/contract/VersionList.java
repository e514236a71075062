package dev.explainable.serving.contract;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The versions file ({@link RuntimeSetting#ROUTING_VERSIONS_FILE}): the names of a model's versions, one a line, as
 * the operator writes them into the model's versions ConfigMap and the runtime reads them before it forwards a request
 * to another version.
 */
public final class VersionList {

    /**
     * Largest versions file the runtime reads; a larger one counts as unreadable (nothing is forwarded). A model has at
     * most 16 versions of at most 40 characters, so the operator's file stays far below it.
     */
    public static final int MAX_BYTES = 64 * 1024;

    private VersionList() {}

    /** The file's content: the names in the given order, each on its own line. */
    public static String format(Collection<String> versions) {
        StringBuilder b = new StringBuilder();
        for (String v : versions) {
            if (v.isBlank() || v.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("a version name is one word: '" + v + "'");
            }
            b.append(v).append('\n');
        }
        return b.toString();
    }

    /** The names a file's content lists: its words (blank lines and surrounding spaces ignored). */
    public static Set<String> parse(String content) {
        Set<String> names = new LinkedHashSet<>();
        for (String word : content.strip().split("\\s+")) {
            if (!word.isEmpty()) {
                names.add(word);
            }
        }
        return names;
    }
}
