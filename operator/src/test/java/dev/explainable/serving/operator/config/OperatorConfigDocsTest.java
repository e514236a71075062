package dev.explainable.serving.operator.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.smallrye.config.ConfigMappingInterface.Property;
import io.smallrye.config.ConfigMappings;
import io.smallrye.config.ConfigMappings.ConfigClass;

/**
 * docs/configuration.md's operator settings table has a row for every setting of OperatorConfig, with its default,
 * and no other: adding a setting is a method in OperatorConfig and its row there.
 */
class OperatorConfigDocsTest {

    static final Path DOC = Path.of("../docs/configuration.md");
    static final String PREFIX = "explainable.operator.";

    /** The settings by their names below the prefix (a list's without SmallRye's "[*]"). */
    static Map<String, Property> settings() {
        Map<String, Property> settings = new TreeMap<>();
        ConfigMappings.getProperties(ConfigClass.configClass(OperatorConfig.class))
                .forEach((name, p) ->
                        settings.put(name.substring(PREFIX.length()).replace("[*]", ""), p));
        return settings;
    }

    /** The rows of the operator settings table. */
    static List<String> rows() throws IOException {
        List<String> lines = Files.readAllLines(DOC);
        int start = lines.indexOf("## Operator settings");
        List<String> rows = new ArrayList<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            if (line.startsWith("| `")) {
                rows.add(line);
            }
        }
        return rows;
    }

    @Test
    void everySettingHasARowWithItsDefault() throws IOException {
        List<String> rows = rows();
        List<String> wrong = new ArrayList<>();
        settings().forEach((name, p) -> {
            String row = rows.stream()
                    .filter(r -> r.startsWith("| `" + name + "` |"))
                    .findFirst()
                    .orElse(null);
            if (row == null) {
                wrong.add(name + ": no row");
            } else if (p.hasDefaultValue() && !row.contains("`" + p.getDefaultValue() + "`")) {
                wrong.add(name + ": its default is `" + p.getDefaultValue() + "`");
            }
        });
        assertThat(wrong).as(DOC + " against OperatorConfig").isEmpty();
    }

    @Test
    void everyRowIsASetting() throws IOException {
        Map<String, Property> settings = settings();
        assertThat(rows().stream().map(r -> r.substring(3, r.indexOf('`', 3))))
                .as(DOC + " against OperatorConfig")
                .allMatch(settings::containsKey);
    }
}
