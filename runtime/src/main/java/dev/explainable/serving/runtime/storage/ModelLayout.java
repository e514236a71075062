package dev.explainable.serving.runtime.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a model folder must hold before it is loaded, the folder AI Platform's {@code deploymentUri} named:
 * {@code saved_model.pb} at its top and, where it has variables, the index with every data shard the shards' names
 * announce. A folder still being uploaded (no saved_model.pb yet, a shard missing) is refused, so never loaded.
 */
public final class ModelLayout {

    public static final String SAVED_MODEL = "saved_model.pb";
    private static final String INDEX = "variables/variables.index";
    private static final Pattern SHARD = Pattern.compile("variables/variables\\.data-(\\d+)-of-(\\d+)");

    private ModelLayout() {}

    /** Checks the relative file names of a folder (listed or local); {@code BAD_LAYOUT} says what is missing. */
    public static void check(Set<String> files, String location) {
        if (!files.contains(SAVED_MODEL)) {
            String found = files.isEmpty() ? "it is empty" : "it holds " + files.size() + " files: " + sample(files);
            String nested = files.stream()
                    .filter(f -> f.endsWith("/" + SAVED_MODEL))
                    .map(f -> f.substring(0, f.length() - SAVED_MODEL.length() - 1))
                    .findFirst()
                    .map(d -> "; a SavedModel is in its folder " + d + "/: name that folder")
                    .orElse("");
            throw new StorageException(
                    StorageException.Kind.BAD_LAYOUT,
                    location,
                    "no " + SAVED_MODEL + " at the top of the folder (" + found + nested
                            + "); the folder must hold saved_model.pb, variables/ and explanation_metadata.json, as"
                            + " AI Platform's deploymentUri did (an upload still in progress looks like this too)");
        }
        int expected = -1;
        Set<Integer> shards = new TreeSet<>();
        for (String f : files) {
            Matcher m = SHARD.matcher(f);
            if (m.matches()) {
                shards.add(Integer.parseInt(m.group(1)));
                expected = Integer.parseInt(m.group(2));
            }
        }
        boolean index = files.contains(INDEX);
        if (index && shards.isEmpty()) {
            throw incomplete(location, "variables/variables.index without any variables/variables.data-* shard");
        }
        if (!index && !shards.isEmpty()) {
            throw incomplete(location, "variables/variables.data-* shards without variables/variables.index");
        }
        for (int i = 0; i < expected; i++) {
            if (!shards.contains(i)) {
                throw incomplete(
                        location, String.format("variables/variables.data-%05d-of-%05d is missing", i, expected));
            }
        }
    }

    /** Checks a local folder. */
    public static void check(Path dir, String location) {
        check(files(dir), location);
    }

    /** The regular files below {@code dir}, as relative names with '/'. */
    static Set<String> files(Path dir) {
        Set<String> names = new TreeSet<>();
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile)
                    .forEach(p -> names.add(dir.relativize(p).toString().replace('\\', '/')));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    private static StorageException incomplete(String location, String what) {
        return new StorageException(
                StorageException.Kind.BAD_LAYOUT,
                location,
                "incomplete SavedModel (" + what + "): an upload still in progress, or a folder copied in part");
    }

    private static String sample(Set<String> files) {
        List<String> first = files.stream().limit(5).toList();
        return String.join(", ", first) + (files.size() > first.size() ? ", ..." : "");
    }
}
