package io.jigsaw.job.profile;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.planner.profile.ProfileRow;
import io.jigsaw.planner.profile.ShareGrid;
import io.jigsaw.runtime.VariantRunner;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProfilerTest {

    /** Counts what the profiler asks for; a batch "takes" batch x 1 ms of busy work so timings are positive. */
    static final class CountingRunner implements VariantRunner {
        static final List<String> PREPARED = new ArrayList<>();
        static int predictions;

        @Override
        public void prepare(String variant, int threads) {
            PREPARED.add(variant + "@" + threads);
        }

        @Override
        public List<java.util.Map<String, float[]>> predict(String variant, int threads, List<byte[]> inputs, int[] shape) {
            predictions++;
            long until = System.nanoTime() + inputs.size() * 200_000L;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            return inputs.stream().map(in -> java.util.Map.of("output", new float[1])).toList();
        }

        @Override
        public void close() {
        }
    }

    static Graph demoGraph() {
        // With the models the build made: the profiler feeds each task what they take.
        return GraphLoader.load(Path.of(System.getProperty("jigsaw.examples.dir"), "xr-scene", "graph.yaml"))
                .withModelsDir(System.getProperty("jigsaw.demo.models.dir"));
    }

    @Test
    void measuresEachVariantOncePerThreadBudgetAndWritesARowPerShare() throws Exception {
        CountingRunner.PREPARED.clear();
        CountingRunner.predictions = 0;
        Graph graph = demoGraph();
        // 2 cores stand for a GPU: 10..20 % round to 0 -> 1 thread, 30..70 % -> 1, 80..100 % -> 2.
        Profiler.Settings settings = new Profiler.Settings(ShareGrid.mps(10).shares(), List.of(1, 4), 1, 5, 2, "cpu-2t");
        Profiler profiler = new Profiler(graph, (g, task) -> new CountingRunner(), settings);
        List<Profiler.Step> steps = new ArrayList<>();

        List<ProfileRow> rows = profiler.run(steps::add);

        int variants = 12;
        assertThat(profiler.steps()).isEqualTo(variants * 2 * 2);
        assertThat(steps).hasSize(profiler.steps());
        assertThat(CountingRunner.predictions).isEqualTo(variants * 2 * 2 * (1 + 5));
        assertThat(new TreeSet<>(CountingRunner.PREPARED.stream().map(p -> p.substring(p.indexOf('@'))).toList()))
                .containsExactly("@1", "@2");
        assertThat(rows).hasSize(variants * 10 * 2)
                .allSatisfy(r -> {
                    assertThat(r.source()).isEqualTo(ProfileRow.Source.MEASURED);
                    assertThat(r.device()).isEqualTo("cpu-2t");
                    assertThat(r.p50Ms()).isPositive().isLessThanOrEqualTo(r.p99Ms());
                });
        // Shares with one thread budget carry one measurement; the two budgets are two measurements.
        Set<Double> oneThread = rows.stream().filter(r -> r.variant().equals("detect-l") && r.batch() == 4 && r.share() <= 70)
                .map(ProfileRow::p50Ms).collect(Collectors.toSet());
        assertThat(oneThread).hasSize(1);
    }

    @Test
    void theDefaultShareStepIsOneWholeCore() {
        assertThat(Profiler.oneCoreStep(1)).isEqualTo(100);
        assertThat(Profiler.oneCoreStep(2)).isEqualTo(50);
        assertThat(Profiler.oneCoreStep(4)).isEqualTo(25);
        assertThat(Profiler.oneCoreStep(8)).isEqualTo(10);
        assertThat(Profiler.oneCoreStep(16)).isEqualTo(5);
        assertThat(Profiler.oneCoreStep(200)).isEqualTo(1);
    }

    @Test
    void refusesBatchesWithoutBatchOne() {
        assertThatThrownBy(() -> new Profiler.Settings(List.of(100.0), List.of(2, 4), 1, 5, 2, "cpu"))
                .hasMessageContaining("batches must include 1");
    }
}
