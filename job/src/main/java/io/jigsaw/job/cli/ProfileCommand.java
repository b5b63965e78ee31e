package io.jigsaw.job.cli;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.job.models.ModelCache;
import io.jigsaw.job.profile.Profiler;
import io.jigsaw.planner.profile.PartitionModel;
import io.jigsaw.planner.profile.ProfileCsv;
import io.jigsaw.planner.profile.ProfileRow;
import io.jigsaw.planner.profile.ShareGrid;
import io.jigsaw.runtime.DjlVariantRunner;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "profile", mixinStandardHelpOptions = true,
        header = "Measures variant latency per share and batch; writes a profile.",
        description = "Measures the latency of one batch per variant x share x batch on this machine with the job's own "
                + "DJL TensorFlow runner (warm-up, then repeated runs: p50 and p99) and writes a profile CSV with "
                + "source=measured. Without a GPU a share is the thread budget the task operator gives it: "
                + "round(share%% x --cores-per-gpu), at least 1; shares with the same budget share one measurement. "
                + "With --derive-from it measures nothing: it writes the partition rows the planner would derive from a "
                + "profile's whole-GPU rows (source=derived), to compare with your own measurements.")
final class ProfileCommand implements Callable<Integer> {

    @Mixin
    GraphFileOption graph;

    @Option(names = "--out", required = true, description = "Profile CSV to write (variant,device,share,batch,p50_ms,p99_ms,source).")
    Path out;

    @Bounds(min = 1, max = 100)
    @Option(names = "--share-step", description = "Shares to measure, every this many percent (default: one core's worth of"
            + " --cores-per-gpu, rounded down to a divisor of 100: 50 on 2 cores, 25 on 4, 10 on 8). A finer step on CPU"
            + " measures each small share alone with one whole thread, so it would overstate what shares running side by side get.")
    Integer shareStep;

    @Bounds(min = 1)
    @Option(names = "--batches", split = ",", defaultValue = "1,2,4,8,16", description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Bounds(min = 0)
    @Option(names = "--warmup", defaultValue = "3", description = "Untimed runs before each measurement (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Bounds(min = 1)
    @Option(names = "--runs", defaultValue = "30", description = "Timed runs per measurement (default: ${DEFAULT-VALUE}).")
    int runs;

    @Bounds(min = 1)
    @Option(names = "--cores-per-gpu", description = "CPU threads standing for 100 %% of a GPU (default: this machine's cores,"
            + " as the job's jigsaw.cpu.cores-per-gpu).")
    Integer coresPerGpu;

    @Option(names = "--device", description = "Device name written in the CSV (default: cpu-<cores-per-gpu>t); with --derive-from,"
            + " the device whose rows to derive from (default: the file's only one).")
    String device;

    @Option(names = "--derive-from", paramLabel = "WHOLE.csv", description = "Our profile CSV with whole-GPU rows (share 100):"
            + " write them to --out with every partition row the planner derives from them (source=derived; measured partition"
            + " rows in the file are kept and not derived over).")
    Path deriveFrom;

    @Option(names = "--mig", description = "With --derive-from: derive an A100's MIG slices (1g, 2g, 3g, 4g, 7g) instead of"
            + " --share-step percent steps.")
    boolean mig;

    @Option(names = "--partition-model", description = "With --derive-from: COMPUTE or UTILISATION (default: UTILISATION, as the"
            + " planner's default).")
    PartitionModel.Rule partitionModel;

    @Override
    public Integer call() throws Exception {
        if (deriveFrom != null) {
            return derive();
        }
        Path graphFile = graph.orDemo();
        Graph g = GraphLoader.load(graphFile);
        int cores = coresPerGpu != null ? coresPerGpu : Runtime.getRuntime().availableProcessors();
        Profiler.Settings settings;
        try {
            settings = new Profiler.Settings(ShareGrid.mps(shareStep != null ? shareStep : Profiler.oneCoreStep(cores)).shares(), batches, warmup, runs, cores,
                    device != null ? device : "cpu-" + cores + "t");
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
        }
        List<String> missing = ModelCache.missing(g);
        if (!missing.isEmpty()) {
            System.err.println("[profile] building " + missing.size() + " missing model(s) " + missing);
            ModelCache.build(graphFile);
        }
        Profiler profiler = new Profiler(g, DjlVariantRunner.factory(), settings);
        List<ProfileRow> rows;
        try (ProgressBar bar = Progress.bar("profile", profiler.steps())) {
            rows = profiler.run(step -> {
                bar.setExtraMessage(String.format(Locale.ROOT, "%s t%d b%d p50 %.1f ms", step.variant(), step.threads(),
                        step.batch(), step.p50Ms()));
                bar.step();
            });
        }
        ProfileCsv.write(out, rows);
        System.err.printf("[profile] wrote %d measured rows (%d variants, device %s) to %s%n", rows.size(),
                rows.stream().map(ProfileRow::variant).distinct().count(), settings.device(), out);
        return 0;
    }

    private int derive() {
        List<ProfileRow> given = ProfileCsv.read(deriveFrom);
        java.util.TreeSet<String> devices = new java.util.TreeSet<>();
        given.forEach(r -> devices.add(r.device()));
        String on = device != null ? device : devices.size() == 1 ? devices.first() : null;
        if (on == null || !devices.contains(on)) {
            throw new CommandLine.ParameterException(new CommandLine(this), deriveFrom + " holds rows for devices " + devices
                    + (on == null ? "; choose one with --device" : ", not '" + on + "'"));
        }
        List<ProfileRow> rows = given.stream().filter(r -> r.device().equals(on)).toList();
        if (rows.stream().noneMatch(r -> r.share() == 100.0)) {
            throw new io.jigsaw.core.input.InputException(deriveFrom, "", "no whole-GPU row (share 100) on device " + on
                    + ": nothing to derive partitions from");
        }
        ShareGrid grid = mig ? ShareGrid.migSlices() : ShareGrid.mps(shareStep != null ? shareStep : 10);
        PartitionModel.Rule rule = partitionModel != null ? partitionModel : io.jigsaw.planner.profile.ProfileLoader.defaultRule(on);
        List<ProfileRow> all = PartitionModel.complete(rows, grid, rule);
        ProfileCsv.write(out, all);
        System.err.printf(Locale.ROOT, "[profile] derived %d partition rows (%s, %s) from %d rows of %s; wrote %d rows to %s%n",
                all.size() - rows.size(), rule.describe(), mig ? "MIG slices 1g 2g 3g 4g 7g" : "shares every " + grid.shares().get(0) + " %",
                rows.size(), deriveFrom, all.size(), out);
        return 0;
    }
}
