package io.jigsaw.operators;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which {@link Piece} formats this build can read from a savepoint, and the decision a restore makes. A
 * savepoint records the format it was written in ({@link PieceSerializer#FORMAT}) and Piece's fields then
 * ({@link #fields()}); a restore is
 * <ul>
 *   <li><b>compatible</b> when both are this build's;</li>
 *   <li><b>compatible after migration</b> when the savepoint's format is an older one this build keeps a
 *       reader for ({@link #OLDER}): Flink reads every piece with the old reader and writes it anew;</li>
 *   <li><b>incompatible</b> otherwise, with a message that says which fields changed and what to do — most
 *       often Piece's fields changed while {@link PieceSerializer#FORMAT} did not.</li>
 * </ul>
 */
public final class PieceFormats {

    /** Readers of formats this build no longer writes, by format number. None yet: format 1 is the first. */
    static final Map<Integer, PieceSerializer.Reader> OLDER = Map.of();

    public enum Compatibility { AS_IS, AFTER_MIGRATION, INCOMPATIBLE }

    /** A restore's decision and, when it is not as-is, why. */
    public record Decision(Compatibility compatibility, String reason) {
    }

    private PieceFormats() {
    }

    /** Piece's fields in this build: read once, every snapshot of every checkpoint records them. */
    private static final List<String> FIELDS = readFields();

    /** Piece's instance fields as "type name", sorted: what a savepoint records so a restore can say what changed. */
    public static List<String> fields() {
        return FIELDS;
    }

    private static List<String> readFields() {
        SortedSet<String> out = new TreeSet<>();
        for (Field f : Piece.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) && !Modifier.isTransient(f.getModifiers())) {
                out.add(f.getType().getSimpleName() + " " + f.getName());
            }
        }
        return List.copyOf(out);
    }

    /** The decision for a savepoint written in {@code format} when Piece had {@code fields}. */
    public static Decision decide(int format, List<String> fields) {
        return decide(format, fields, PieceSerializer.FORMAT, fields(), OLDER.keySet());
    }

    static Decision decide(int format, List<String> fields, int current, List<String> currentFields,
            java.util.Set<Integer> readable) {
        if (format == current && fields.equals(currentFields)) {
            return new Decision(Compatibility.AS_IS, "");
        }
        if (format < current && readable.contains(format)) {
            return new Decision(Compatibility.AFTER_MIGRATION, "pieces in format " + format + " are read by its reader in "
                    + "PieceFormats.OLDER and rewritten in format " + current);
        }
        String changes = changes(fields, currentFields);
        String what;
        if (format == current) {
            what = "Piece's fields changed since the savepoint was taken (" + changes + ") but PieceSerializer.FORMAT is "
                    + "still " + current + ": bump FORMAT, and keep a reader of format " + format + " in PieceFormats.OLDER "
                    + "so that savepoints of the running job can be restored";
        } else if (format > current) {
            what = "the savepoint was written by a newer build (format " + format + ", this build writes " + current + ")";
        } else {
            what = "this build no longer reads format " + format + " (it writes " + current + " and reads "
                    + (readable.isEmpty() ? "no older one" : "formats " + new TreeSet<>(readable)) + "; " + changes + ")";
        }
        return new Decision(Compatibility.INCOMPATIBLE, "the savepoint's pieces (queued, half-joined or waiting for the "
                + "rest of their request) cannot be read by this build: " + what + ". To go on without them, start the job "
                + "without the savepoint (their requests get no answer); to keep them, resume with the build that took it.");
    }

    private static String changes(List<String> was, List<String> now) {
        List<String> added = new ArrayList<>(now);
        added.removeAll(was);
        List<String> removed = new ArrayList<>(was);
        removed.removeAll(now);
        if (added.isEmpty() && removed.isEmpty()) {
            return "same fields";
        }
        return (added.isEmpty() ? "" : "added " + String.join(", ", added))
                + (added.isEmpty() || removed.isEmpty() ? "" : "; ")
                + (removed.isEmpty() ? "" : "removed " + String.join(", ", removed));
    }
}
