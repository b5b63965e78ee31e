package io.jigsaw.planner.profile;

import io.jigsaw.core.input.CsvFile;
import io.jigsaw.core.input.InputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * ParvaGPU's measured A100 MIG profiles (SC'24 artifact, {@code prof_data/<model>.csv}: {@code Mig
 * instance,Batch size,Workload Number,Throughput,Latency}), read as they are: the model is the file's
 * name, a slice of g compute slices is g/7 of the GPU, N processes in a slice are N replicas sharing it,
 * each at its measured per-process time ({@link ProfileRow#processes()}). {@code 0,0} rows were not
 * measured (out of memory) and are skipped.
 *
 * <p>The files hold one figure per row, the mean batch time (finer as Batch / Throughput than the
 * rounded Latency column). The planner needs a typical time and a tail: p50 is taken as the mean
 * (latency distributions skew right, so the mean is at or above the median), and the tail as
 * {@value #TAIL_OVER_MEAN} × the mean: the 90th percentile of p95 / mean over the 1216 rows of Loki's
 * measured runtimes.csv on its Ampere GPU (median 0.96). Both are labelled wherever the rows are used
 * ({@link #DEVICE} names the source).
 */
public final class ParvaGpuCsv {

    public static final String[] COLUMNS = {"Mig instance", "Batch size", "Workload Number", "Throughput"};
    /** The device these rows are on; plans and reports name it. */
    public static final String DEVICE = "a100-80gb-mig";
    /** Tail / mean factor for mean-only rows (class comment says where it was measured). */
    public static final double TAIL_OVER_MEAN = 1.03;

    private ParvaGpuCsv() {
    }

    /** Whether a file is in this format (its header names ParvaGPU's MIG column). */
    public static boolean is(Path file) {
        return Files.isRegularFile(file) && CsvFile.withHeader(file).hasColumn(COLUMNS[0]);
    }

    /** The ParvaGPU files of a folder ({@code prof_data/}), by name. */
    public static List<Path> filesIn(Path dir) {
        try (var files = Files.list(dir)) {
            List<Path> out = files.filter(f -> f.getFileName().toString().endsWith(".csv")).filter(ParvaGpuCsv::is).sorted().toList();
            if (out.isEmpty()) {
                throw new InputException(dir, "", "no ParvaGPU profile (<model>.csv with columns " + String.join(",", COLUMNS)
                        + ") in this folder");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    public static String variantOf(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
    }

    public static List<ProfileRow> read(Path file) {
        return read(CsvFile.withHeader(file));
    }

    /** The rows of a file already read (the loader reads each file once to tell its format). */
    public static List<ProfileRow> read(CsvFile csv) {
        Path file = csv.file();
        String variant = variantOf(file);
        List<ProfileRow> rows = new ArrayList<>();
        for (CsvFile.NamedRow row : csv.rows(COLUMNS)) {
            int g = row.integer("Mig instance");
            int b = row.integer("Batch size");
            int n = row.integer("Workload Number");
            double perSecond = row.number("Throughput");
            if (g == 0 && b == 0 || perSecond == 0) {
                continue;
            }
            if (!MigGeometry.isSize(g)) {
                throw row.error("Mig instance must be an A100 slice size (1, 2, 3, 4 or 7 compute slices), found " + g);
            }
            if (b < 1 || n < 1 || !(perSecond > 0)) {
                throw row.error("expected Batch size >= 1, Workload Number >= 1 and Throughput > 0, found " + b + ", " + n + " and " + perSecond);
            }
            double meanMs = 1000.0 * b / perSecond;
            rows.add(new ProfileRow(variant, DEVICE, MigGeometry.share(g) / n, b, meanMs, meanMs * TAIL_OVER_MEAN, ProfileRow.Source.MEASURED, n));
        }
        if (rows.isEmpty()) {
            throw new InputException(file, "", "no measured row (every row is 0,0)");
        }
        return rows;
    }
}
