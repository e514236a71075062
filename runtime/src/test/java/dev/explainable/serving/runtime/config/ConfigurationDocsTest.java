package dev.explainable.serving.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.smallrye.config.ConfigMappingInterface.Property;
import io.smallrye.config.ConfigMappings;
import io.smallrye.config.ConfigMappings.ConfigClass;

/**
 * docs/configuration.md has a row for every runtime setting, as ExplainConfig declares it: the property, its
 * environment variable and its default; and no row for a setting that does not exist. Adding a setting is a method in
 * ExplainConfig and its row there.
 */
class ConfigurationDocsTest {

    static final Path DOC = Path.of("../docs/configuration.md");

    /** The settings by name (a list's without SmallRye's "[*]"). */
    static Map<String, Property> settings() {
        Map<String, Property> settings = new TreeMap<>();
        ConfigMappings.getProperties(ConfigClass.configClass(ExplainConfig.class))
                .forEach((name, p) -> settings.put(name.replace("[*]", ""), p));
        return settings;
    }

    @Test
    void everySettingHasARowWithItsVariableAndDefault() throws IOException {
        List<String> rows = Files.readAllLines(DOC);
        List<String> wrong = new ArrayList<>();
        settings().forEach((name, p) -> {
            String env = name.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
            String row = rows.stream()
                    .filter(r -> r.startsWith("| `" + name + "` |"))
                    .findFirst()
                    .orElse(null);
            if (row == null) {
                wrong.add(name + ": no row");
            } else if (!row.startsWith("| `" + name + "` | `" + env + "` |")) {
                wrong.add(name + ": its variable is " + env);
            } else if (p.hasDefaultValue() && !row.contains("`" + p.getDefaultValue() + "`")) {
                wrong.add(name + ": its default is `" + p.getDefaultValue() + "`");
            }
        });
        assertEquals(List.of(), wrong, DOC + " against ExplainConfig");
    }

    @Test
    void everyRowIsASetting() throws IOException {
        Map<String, Property> settings = settings();
        List<String> unknown = Files.readAllLines(DOC).stream()
                .filter(r -> r.startsWith("| `explain."))
                .map(r -> r.substring(3, r.indexOf('`', 3)))
                .filter(name -> !settings.containsKey(name))
                .toList();
        assertEquals(List.of(), unknown, DOC + " against ExplainConfig");
    }
}
