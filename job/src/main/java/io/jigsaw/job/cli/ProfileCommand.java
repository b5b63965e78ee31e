package io.jigsaw.job.cli;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.job.models.ModelCache;
import io.jigsaw.job.profile.Profiler;
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
                + "round(share%% x --cores-per-gpu), at least 1; shares with the same budget share one measurement.")
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

    @Option(names = "--device", description = "Device name written in the CSV (default: cpu-<cores-per-gpu>t).")
    String device;

    @Override
    public Integer call() throws Exception {
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
}
