package io.jigsaw.job.profile;

import io.jigsaw.core.graph.Dataflow;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.core.serving.CpuShares;
import io.jigsaw.core.stats.Percentiles;
import io.jigsaw.job.client.Frames;
import io.jigsaw.planner.profile.ProfileRow;
import io.jigsaw.runtime.SavedModelSignatures;
import io.jigsaw.runtime.VariantRunner;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Measures the latency of one batch per variant × share × batch with the runner the task operator
 * uses, so a measured row is what the job will see. On CPU a share is the thread budget
 * {@link CpuShares} gives it; shares that map to the same thread count are measured once and each
 * gets that measurement (the operator cannot tell them apart either).
 */
public final class Profiler {

    /** What to measure and how often. */
    public record Settings(List<Double> shares, List<Integer> batches, int warmupRuns, int runs, int coresPerGpu, String device) {

        public Settings {
            shares = List.copyOf(shares);
            batches = List.copyOf(batches);
            if (shares.isEmpty() || batches.isEmpty() || runs < 1 || warmupRuns < 0 || coresPerGpu < 1) {
                throw new IllegalArgumentException("need shares, batches, runs >= 1, warm-up >= 0 and cores per GPU >= 1");
            }
            if (!batches.contains(1)) {
                throw new IllegalArgumentException("batches must include 1: the planner needs every variant's batch-1 row");
            }
        }

        /** Distinct thread budgets, in the order of the shares. */
        List<Integer> threadBudgets() {
            return shares.stream().map(s -> CpuShares.threads(s, coresPerGpu)).distinct().toList();
        }
    }

    /** One unit of work done, for a progress bar. */
    public record Step(String variant, int threads, int batch, double p50Ms, double p99Ms) {
    }

    private record Point(int threads, int batch) {
    }

    private final Graph graph;
    private final VariantRunner.Factory runners;
    private final Settings settings;

    public Profiler(Graph graph, VariantRunner.Factory runners, Settings settings) {
        this.graph = graph;
        this.runners = runners;
        this.settings = settings;
    }

    /**
     * The finest share step that is still at least one whole thread: the largest divisor of 100 that is
     * at most 100 / cores. Finer shares would each be measured alone on a whole thread, more than they
     * get when they run side by side on the same cores.
     */
    public static int oneCoreStep(int coresPerGpu) {
        for (int step = 100 / Math.max(1, coresPerGpu); step > 1; step--) {
            if (100 % step == 0) {
                return step;
            }
        }
        return 1;
    }

    /** Measurements to take: variants × thread budgets × batches. */
    public int steps() {
        long variants = graph.tasks().stream().filter(t -> !t.pseudo()).mapToLong(t -> t.variants().size()).sum();
        return (int) variants * settings.threadBudgets().size() * settings.batches().size();
    }

    /** @param progress told after every measurement */
    public List<ProfileRow> run(Consumer<Step> progress) throws Exception {
        // Each task is fed what the graph gives it (a frame, a crop, a join's vector): its models are timed on that.
        Dataflow flow = SavedModelSignatures.check(graph);
        int maxBatch = settings.batches().stream().mapToInt(Integer::intValue).max().orElseThrow();
        List<ProfileRow> rows = new ArrayList<>();
        for (Task task : graph.tasks()) {
            if (task.pseudo()) {
                continue;
            }
            TensorSpec spec = flow.input(task.name()).orElseThrow(() -> new IllegalArgumentException("the profiler cannot tell what task "
                    + task.name() + " of graph " + graph.name() + " is fed; give the graph an input spec and build its models"));
            List<byte[]> inputs = new ArrayList<>();
            for (int i = 0; i < maxBatch; i++) {
                ByteBuffer data = Frames.request("profile-" + i, graph.name(), spec, 0, 0, i).getPayload().getData();
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                inputs.add(bytes);
            }
            int[] shape = spec.shape().stream().mapToInt(Integer::intValue).toArray();
            try (VariantRunner runner = runners.open(graph, task.name())) {
                for (Variant variant : task.variants()) {
                    Map<Point, double[]> measured = new LinkedHashMap<>();
                    for (int threads : settings.threadBudgets()) {
                        for (int batch : settings.batches()) {
                            double[] ms = measure(runner, variant.name(), threads, inputs.subList(0, batch), shape);
                            measured.put(new Point(threads, batch), ms);
                            progress.accept(new Step(variant.name(), threads, batch, ms[0], ms[1]));
                        }
                    }
                    for (double share : settings.shares()) {
                        int threads = CpuShares.threads(share, settings.coresPerGpu());
                        for (int batch : settings.batches()) {
                            double[] ms = measured.get(new Point(threads, batch));
                            rows.add(new ProfileRow(variant.name(), settings.device(), share, batch, ms[0], ms[1],
                                    ProfileRow.Source.MEASURED));
                        }
                    }
                }
            }
        }
        return rows;
    }

    /** @return {p50, p99} of the timed runs, after the warm-up runs */
    private double[] measure(VariantRunner runner, String variant, int threads, List<byte[]> batch, int[] shape) throws Exception {
        runner.prepare(variant, threads);
        for (int i = 0; i < settings.warmupRuns(); i++) {
            runner.predict(variant, threads, batch, shape);
        }
        double[] ms = new double[settings.runs()];
        for (int i = 0; i < ms.length; i++) {
            long start = System.nanoTime();
            runner.predict(variant, threads, batch, shape);
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        return new double[] {Percentiles.of(ms, ms.length, 0.5), Percentiles.of(ms, ms.length, 0.99)};
    }
}
