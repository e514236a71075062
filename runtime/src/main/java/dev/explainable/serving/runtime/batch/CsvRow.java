package dev.explainable.serving.runtime.batch;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * A csv row as an array instance (Vertex's default {@code instanceType} for csv): a cell that reads as a number is a
 * number, any other a string. RFC 4180 quoting ({@code "a,b"}, {@code ""} for a quote) within one line.
 */
final class CsvRow {

    private CsvRow() {}

    /** The row's cells; {@link IllegalArgumentException} for an unterminated quote. */
    static List<String> cells(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("a quoted cell is not closed on its line");
        }
        cells.add(cell.toString());
        return cells;
    }

    static ArrayNode instance(List<String> cells) {
        ArrayNode row = JsonNodeFactory.instance.arrayNode();
        for (String c : cells) {
            row.add(value(c.trim()));
        }
        return row;
    }

    private static JsonNode value(String cell) {
        if (cell.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
            if (cell.matches("[-+]?\\d{1,18}")) {
                return JsonNodeFactory.instance.numberNode(Long.parseLong(cell));
            }
            return JsonNodeFactory.instance.numberNode(Double.parseDouble(cell));
        }
        return JsonNodeFactory.instance.textNode(cell);
    }
}
