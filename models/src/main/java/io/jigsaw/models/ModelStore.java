package io.jigsaw.models;

import io.jigsaw.core.graph.AccuracyCsv;
import io.jigsaw.core.graph.BuiltModel;
import io.jigsaw.core.io.Directories;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Built models by recipe hash (recipe and input: {@code ModelRecipe#stamp}), so the build (for the
 * tests), the demo and `bin/jigsaw models` train each demo variant once on a machine: a trained
 * variant is stored with the accuracy measured for it. Training is not bit-reproducible, so sharing
 * one trained model also keeps the figures the tests and the demo see the same.
 */
final class ModelStore {

    private static final String ACCURACY = "accuracy.csv";

    /** One cached model: its directory and the accuracy row stored with it. */
    record Entry(Path dir) {

        void copyTo(Path target) throws IOException {
            try (Stream<Path> files = Files.walk(dir.resolve("model"))) {
                for (Path p : files.toList()) {
                    Path to = target.resolve(dir.resolve("model").relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }

        /** The accuracy stored with it, as the row of this task and variant (the same model may serve another name). */
        Optional<AccuracyCsv.Row> accuracy(String task, String variant) {
            Path csv = dir.resolve(ACCURACY);
            if (!Files.exists(csv)) {
                return Optional.empty();
            }
            return AccuracyCsv.read(csv).stream().findFirst().map(r -> new AccuracyCsv.Row(task, variant, r.accuracy(), r.metric(),
                    r.source(), r.samples(), r.trainSeconds()));
        }
    }

    private final Path root;

    ModelStore(Path root) {
        this.root = root;
    }

    Optional<Entry> find(String stamp) throws IOException {
        Path dir = root.resolve(hash(stamp));
        Path model = dir.resolve("model").resolve("saved_model.pb");
        if (!Files.exists(model) || !Files.exists(dir.resolve("stamp.txt")) || !Files.readString(dir.resolve("stamp.txt")).equals(stamp)) {
            return Optional.empty();
        }
        Optional<String> problem = BuiltModel.problem(dir.resolve("model"), stamp);
        if (problem.isPresent()) {
            // A damaged entry is dropped and the model built again, never copied into service.
            System.err.printf("models: dropping the cached %s: %s%n", dir, problem.get());
            Directories.deleteTree(dir);
            return Optional.empty();
        }
        return Optional.of(new Entry(dir));
    }

    /** Stores a built model (written to a temporary folder first, so a crash leaves no half entry). */
    void store(String stamp, Path built, Optional<AccuracyCsv.Row> accuracy) throws IOException {
        Files.createDirectories(root);
        Path tmp = Files.createTempDirectory(root, "incoming-");
        try (Stream<Path> files = Files.walk(built)) {
            for (Path p : files.toList()) {
                Path to = tmp.resolve("model").resolve(built.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.createDirectories(to.getParent());
                    Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        if (accuracy.isPresent()) {
            AccuracyCsv.merge(tmp.resolve(ACCURACY), List.of(accuracy.get()));
        }
        Files.writeString(tmp.resolve("stamp.txt"), stamp);
        Path dir = root.resolve(hash(stamp));
        if (Files.exists(dir)) {
            Directories.deleteTree(dir);
        }
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    }

    static String hash(String stamp) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(stamp.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
