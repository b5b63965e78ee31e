package io.jigsaw.core.input;

import java.nio.file.Path;

/**
 * Bad user input: says which file, where in it (line or field path) and what was expected, so the
 * CLI can print one line a person can act on instead of a stack trace.
 */
public final class InputException extends RuntimeException {

    private final String file;
    private final String where;

    public InputException(Path file, String where, String problem) {
        this(file == null ? "<input>" : file.toString(), where, problem, null);
    }

    public InputException(String file, String where, String problem, Throwable cause) {
        super(format(file, where, problem), cause);
        this.file = file;
        this.where = where;
    }

    public static InputException atLine(Path file, int line, String problem) {
        return new InputException(file, "line " + line, problem);
    }

    public String file() {
        return file;
    }

    /** "line 7", "tasks[2].after", or empty when the whole file is at fault. */
    public String where() {
        return where;
    }

    private static String format(String file, String where, String problem) {
        return where == null || where.isEmpty() ? file + ": " + problem : file + ": " + where + ": " + problem;
    }
}
