package io.jigsaw.core.input;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small comma-separated file with its line numbers kept, so that every parse error can name the
 * line. The formats we read (ours and Loki's) never quote commas, so no quoting is supported; a
 * quote character is reported rather than misread.
 */
public final class CsvFile {

    /** One data row: its 1-based line number in the file and its cells. */
    public record Row(Path file, int line, List<String> cells) {

        public String cell(int index, String column) {
            if (index >= cells.size()) {
                throw InputException.atLine(file, line,
                        "missing column '" + column + "' (expected at least " + (index + 1) + " columns, found " + cells.size() + ")");
            }
            return cells.get(index).trim();
        }

        public double number(int index, String column) {
            return parsed(index, column, Double::parseDouble, "a number");
        }

        public int integer(int index, String column) {
            return parsed(index, column, Integer::parseInt, "an integer");
        }

        private <T> T parsed(int index, String column, java.util.function.Function<String, T> parse, String expected) {
            String text = cell(index, column);
            try {
                return parse.apply(text);
            } catch (NumberFormatException e) {
                throw InputException.atLine(file, line, "column '" + column + "': expected " + expected + ", found '" + text + "'");
            }
        }
    }

    private final Path file;
    private final List<String> header;
    private final List<Row> rows;

    private CsvFile(Path file, List<String> header, List<Row> rows) {
        this.file = file;
        this.header = header;
        this.rows = rows;
    }

    /** Reads a file whose first non-blank line is a header. */
    public static CsvFile withHeader(Path file) {
        return read(file, true);
    }

    /** Reads a file with data on every non-blank line (Loki's accuracy files have no header). */
    public static CsvFile withoutHeader(Path file) {
        return read(file, false);
    }

    private static CsvFile read(Path file, boolean hasHeader) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new InputException(file.toString(), "", "cannot read: " + e.getMessage(), e);
        }
        List<String> header = List.of();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            if (line.indexOf('"') >= 0) {
                throw InputException.atLine(file, i + 1, "quoted cells are not supported; expected plain comma-separated values");
            }
            List<String> cells = List.of(line.split(",", -1));
            if (hasHeader && header.isEmpty()) {
                header = cells.stream().map(String::trim).toList();
            } else {
                rows.add(new Row(file, i + 1, cells));
            }
        }
        if (hasHeader && header.isEmpty()) {
            throw new InputException(file, "", "empty file; expected a header line");
        }
        return new CsvFile(file, header, rows);
    }

    public Path file() {
        return file;
    }

    public List<Row> rows() {
        return rows;
    }

    /** Index of a header column, or an error naming the columns that are there. */
    public int column(String name) {
        int index = header.indexOf(name);
        if (index < 0) {
            throw InputException.atLine(file, 1, "missing column '" + name + "' in header " + header);
        }
        return index;
    }

    /**
     * The rows, their cells read by column name. Every one of {@code required} must be in the header: checked here,
     * once, so a missing column is one error naming the columns that are there.
     */
    public List<NamedRow> rows(String... required) {
        Map<String, Integer> columns = new HashMap<>();
        for (String name : required) {
            columns.put(name, column(name));
        }
        return rows.stream().map(r -> new NamedRow(r, columns)).toList();
    }

    /** A data row whose cells are read by the name of their column. */
    public record NamedRow(Row row, Map<String, Integer> columns) {

        public String cell(String column) {
            return row.cell(index(column), column);
        }

        public double number(String column) {
            return row.number(index(column), column);
        }

        public int integer(String column) {
            return row.integer(index(column), column);
        }

        /** An error at this row's line. */
        public InputException error(String message) {
            return InputException.atLine(row.file(), row.line(), message);
        }

        private int index(String column) {
            Integer i = columns.get(column);
            if (i == null) {
                throw new IllegalArgumentException("column '" + column + "' was not asked for in rows(...)");
            }
            return i;
        }
    }

    public boolean hasColumn(String name) {
        return header.contains(name);
    }

    public List<String> header() {
        return header;
    }

}
