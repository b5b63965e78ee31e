package io.jigsaw.planner.profile;

import io.jigsaw.core.input.CsvFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Our profile format (DESIGN.md): {@code variant,device,share,batch,p50_ms,p99_ms,source}. */
public final class ProfileCsv {

    public static final String HEADER = "variant,device,share,batch,p50_ms,p99_ms,source";

    private ProfileCsv() {
    }

    public static List<ProfileRow> read(Path file) {
        List<ProfileRow> rows = new ArrayList<>();
        for (CsvFile.NamedRow row : CsvFile.withHeader(file).rows(HEADER.split(","))) {
            double s = MigGeometry.snap(row.number("share"));
            if (!(s > 0 && s <= 100)) {
                throw row.error("share must be a percent in (0, 100], found " + s);
            }
            int b = row.integer("batch");
            if (b < 1) {
                throw row.error("batch must be >= 1, found " + b);
            }
            double fast = row.number("p50_ms");
            double slow = row.number("p99_ms");
            if (!(fast > 0) || slow < fast) {
                throw row.error("expected 0 < p50_ms <= p99_ms, found " + fast + " and " + slow);
            }
            String src = row.cell("source");
            ProfileRow.Source parsed = switch (src) {
                case "measured" -> ProfileRow.Source.MEASURED;
                case "derived" -> ProfileRow.Source.DERIVED;
                default -> throw row.error("source must be 'measured' or 'derived', found '" + src + "'");
            };
            rows.add(new ProfileRow(row.cell("variant"), row.cell("device"), s, b, fast, slow, parsed));
        }
        return rows;
    }

    /** Writes rows sorted by variant, share, batch, so diffs of profiles stay readable. */
    public static void write(Path file, List<ProfileRow> rows) {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        rows.stream()
                .sorted(Comparator.comparing(ProfileRow::variant).thenComparing(ProfileRow::share).thenComparing(ProfileRow::batch))
                .forEach(r -> lines.add(String.format(Locale.ROOT, "%s,%s,%s,%d,%.4f,%.4f,%s", r.variant(), r.device(),
                        trim(r.share()), r.batch(), r.p50Ms(), r.p99Ms(), r.source().label())));
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.write(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write profile " + file, e);
        }
    }

    private static String trim(double share) {
        return share == Math.rint(share) ? Long.toString((long) share) : String.format(Locale.ROOT, "%.4f", share);
    }
}
