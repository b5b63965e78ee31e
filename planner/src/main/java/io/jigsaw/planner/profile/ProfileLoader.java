package io.jigsaw.planner.profile;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.core.input.CsvFile;
import io.jigsaw.core.input.InputException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds and checks the profile rows for a graph: our CSV files and/or Loki's {@code runtimes.csv}
 * (the one beside a Loki app is used when no file is given), one device, partition rows derived for
 * the share grid.
 */
public final class ProfileLoader {

    private ProfileLoader() {
    }

    /**
     * @param graphFile the graph's file; a Loki app's {@code runtimes.csv} beside it is the default profile
     * @param files profile files given by the user (may be empty)
     * @param device accelerator to plan for; null: Loki's default, or the only device of our CSV
     */
    public static Profile load(Graph graph, Path graphFile, List<Path> files, String device, ShareGrid grid) {
        return load(graph, graphFile, files, device, grid, null);
    }

    /**
     * @param rule how partition rows are derived where none was measured; null: {@link #defaultRule} for the device
     */
    public static Profile load(Graph graph, Path graphFile, List<Path> files, String device, ShareGrid grid, PartitionModel.Rule rule) {
        List<Path> sources = new ArrayList<>();
        for (Path f : files) {
            // A folder of ParvaGPU files (its prof_data/) stands for each of them.
            sources.addAll(Files.isDirectory(f) ? ParvaGpuCsv.filesIn(f) : List.of(f));
        }
        if (sources.isEmpty()) {
            Path beside = besideGraph(graphFile);
            sources.addAll(Files.isDirectory(beside) ? ParvaGpuCsv.filesIn(beside) : List.of(beside));
        }
        Set<String> known = new HashSet<>();
        graph.tasks().forEach(t -> t.variants().forEach(v -> known.add(v.name())));
        List<ProfileRow> rows = new ArrayList<>();
        String chosen = device;
        for (Path file : sources) {
            if (!Files.isRegularFile(file)) {
                throw new InputException(file, "", "no such profile file");
            }
            CsvFile csv = CsvFile.withHeader(file);
            if (csv.hasColumn(ParvaGpuCsv.COLUMNS[0])) {
                chosen = chosen == null ? ParvaGpuCsv.DEVICE : chosen;
                // A folder covers eleven models: those the graph does not use are not errors.
                if (known.contains(ParvaGpuCsv.variantOf(file))) {
                    for (ProfileRow r : ParvaGpuCsv.read(csv)) {
                        if (r.device().equals(chosen)) {
                            rows.add(r);
                        }
                    }
                }
            } else if (csv.hasColumn("Accel")) {
                chosen = chosen == null ? LokiRuntimes.DEFAULT_DEVICE : chosen;
                // runtimes.csv covers every model of Loki's apps: rows for other apps' variants are not errors.
                for (ProfileRow r : LokiRuntimes.read(file, chosen)) {
                    if (known.contains(r.variant())) {
                        rows.add(r);
                    }
                }
            } else {
                List<ProfileRow> ours = ProfileCsv.read(file);
                chosen = chosen == null ? onlyDevice(file, ours) : chosen;
                for (ProfileRow r : ours) {
                    if (!known.contains(r.variant())) {
                        throw new InputException(file, "", "variant '" + r.variant() + "' is not in graph " + graph.name()
                                + " (variants: " + graph.catalog() + ")");
                    }
                    if (r.device().equals(chosen)) {
                        rows.add(r);
                    }
                }
            }
        }
        String on = chosen;
        List<String> warnings = new ArrayList<>();
        for (Task task : graph.tasks()) {
            if (task.pseudo()) {
                continue;
            }
            List<String> missing = new ArrayList<>();
            for (Variant v : task.variants()) {
                Set<Integer> batches = new TreeSet<>();
                rows.stream().filter(r -> r.variant().equals(v.name())).forEach(r -> batches.add(r.batch()));
                if (batches.isEmpty()) {
                    missing.add(v.name());
                } else if (!batches.contains(1)) {
                    throw new InputException(sources.get(0).toString(), "", "variant '" + v.name() + "' of task '" + task.name()
                            + "' has no batch-1 row on device " + chosen + " (found batches " + batches + "); every variant needs batch 1", null);
                }
            }
            if (missing.size() == task.variants().size()) {
                throw new InputException(sources.get(0).toString(), "", "task '" + task.name() + "' has no profiled variant on device "
                        + chosen + " (variants " + missing + " have no rows)", null);
            }
            missing.forEach(v -> warnings.add("variant " + v + " of task " + task.name() + " has no profile rows on " + on
                    + ": left out of planning"));
        }
        PartitionModel.Rule derive = rule != null ? rule : defaultRule(chosen);
        return new Profile(chosen, PartitionModel.complete(rows, grid, derive), warnings, derive);
    }

    /**
     * The rule the planner derives with unless told otherwise: DESIGN.md's utilisation rule, which every figure
     * the README prints rests on. The compute rule is validated on measured slices (docs/planning.md) and is
     * chosen with {@code --partition-model COMPUTE}; making it the default re-makes every derived figure.
     */
    public static PartitionModel.Rule defaultRule(String device) {
        return PartitionModel.Rule.UTILISATION;
    }

    /**
     * The default profile: Loki's runtimes.csv beside its app, else a ParvaGPU {@code prof_data/} folder beside
     * the graph, else the only profile-*.csv beside it.
     */
    static Path besideGraph(Path graphFile) {
        Path dir = graphFile.toAbsolutePath().getParent();
        Path loki = dir.resolve("runtimes.csv");
        if (Files.isRegularFile(loki)) {
            return loki;
        }
        Path parva = dir.resolve("prof_data");
        if (Files.isDirectory(parva)) {
            return parva;
        }
        List<Path> ours;
        try (var files = Files.list(dir)) {
            ours = files.filter(f -> f.getFileName().toString().matches("profile.*\\.csv")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new InputException(graphFile, "", "cannot list its folder for a profile: " + e.getMessage());
        }
        if (ours.size() != 1) {
            throw new InputException(graphFile, "", (ours.isEmpty() ? "no profile given and none beside the graph"
                    : "no profile given and several beside the graph " + ours.stream().map(Path::getFileName).toList())
                    + "; pass --profile FILE (columns " + ProfileCsv.HEADER + ", or Loki's runtimes.csv; `bin/jigsaw profile` measures one)");
        }
        return ours.get(0);
    }

    private static String onlyDevice(Path file, List<ProfileRow> rows) {
        TreeSet<String> devices = new TreeSet<>();
        rows.forEach(r -> devices.add(r.device()));
        if (devices.size() != 1) {
            throw new InputException(file, "", "holds rows for devices " + devices + "; choose one with --device");
        }
        return devices.first();
    }
}
