package io.jigsaw.planner.profile;

import io.jigsaw.core.input.CsvFile;
import io.jigsaw.core.input.InputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Loki's {@code runtimes.csv} ({@code ,Model,Accel,batchsize,avg_runtime,50th_pct,90th_pct,95th_pct}):
 * whole-device batch latencies per accelerator. We take {@code 50th_pct} as p50 and {@code 95th_pct},
 * the highest percentile Loki measured, as the tail. Every row is a whole device (share 100).
 */
public final class LokiRuntimes {

    public static final String DEFAULT_DEVICE = "onnxruntime_gpu_ampere";

    private LokiRuntimes() {
    }

    // Reads its columns by name like ProfileCsv does: two formats of the same rows, kept apart so each
    // error names its own format's columns.
    public static List<ProfileRow> read(Path file, String device) {
        List<ProfileRow> rows = new ArrayList<>();
        TreeSet<String> devices = new TreeSet<>();
        for (CsvFile.NamedRow row : CsvFile.withHeader(file).rows("Model", "Accel", "batchsize", "50th_pct", "95th_pct")) {
            String d = row.cell("Accel");
            devices.add(d);
            if (!d.equals(device)) {
                continue;
            }
            int b = row.integer("batchsize");
            double fast = row.number("50th_pct");
            double slow = Math.max(fast, row.number("95th_pct"));
            if (b < 1 || !(fast > 0)) {
                throw row.error("expected batchsize >= 1 and 50th_pct > 0, found " + b + " and " + fast);
            }
            rows.add(new ProfileRow(row.cell("Model"), d, 100.0, b, fast, slow, ProfileRow.Source.MEASURED));
        }
        if (rows.isEmpty()) {
            throw new InputException(file, "", "no rows for device '" + device + "'; devices in the file: " + devices);
        }
        return rows;
    }
}
