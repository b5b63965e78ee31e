package io.jigsaw.core.graph;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The record a model built from a recipe keeps beside it ({@value #FILE}): the stamp it was built
 * from ({@link RecipeStamps}) and a SHA-256 of each of its files. A model whose stamp differs, or
 * whose files changed since (a disk that filled up, an interrupted copy), is rebuilt rather than
 * served — the serving JVM cannot load a model to check it (STACK.md), but it can check this.
 */
public final class BuiltModel {

    public static final String FILE = "jigsaw-recipe.txt";

    private BuiltModel() {
    }

    /** Records the stamp and the files' hashes, once the model's files are all written. */
    public static void record(Path modelDir, String stamp) throws IOException {
        List<String> lines = new ArrayList<>(List.of(stamp));
        for (Path f : files(modelDir)) {
            lines.add("sha256 " + sha256(f) + " " + modelDir.relativize(f).toString().replace('\\', '/'));
        }
        Files.write(modelDir.resolve(FILE), lines);
    }

    /** Why the model in {@code modelDir} cannot be served as built from {@code stamp}; empty when it can. */
    public static Optional<String> problem(Path modelDir, String stamp) throws IOException {
        if (!Files.isRegularFile(modelDir.resolve("saved_model.pb"))) {
            return Optional.of("no " + modelDir.resolve("saved_model.pb"));
        }
        Path record = modelDir.resolve(FILE);
        if (!Files.isRegularFile(record)) {
            return Optional.of("no " + record + " (not built by `jigsaw models`)");
        }
        List<String> lines = Files.readAllLines(record);
        if (lines.isEmpty() || !lines.get(0).equals(stamp)) {
            return Optional.of("built from another recipe or for another input (" + record + ")");
        }
        List<String> hashed = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] parts = line.split(" ", 3);
            if (parts.length != 3 || !parts[0].equals("sha256")) {
                return Optional.of(record + ": unreadable line '" + line + "'");
            }
            Path f = modelDir.resolve(parts[2]);
            if (!Files.isRegularFile(f)) {
                return Optional.of(f + " is missing");
            }
            if (!sha256(f).equals(parts[1])) {
                return Optional.of(f + " changed since it was built (corrupt?)");
            }
            hashed.add(parts[2]);
        }
        if (!hashed.contains("saved_model.pb")) {
            return Optional.of(record + " lists no file hashes (built by an older `jigsaw models`)");
        }
        return Optional.empty();
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals(FILE)).sorted().toList();
        }
    }

    private static String sha256(Path f) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(f), MessageDigest.getInstance("SHA-256"))) {
            MessageDigest d = ((DigestInputStream) in).getMessageDigest();
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
