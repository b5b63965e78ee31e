package io.jigsaw.planner.online;

import io.jigsaw.planner.TinyGraph;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.solver.PlanSolver;
import io.jigsaw.planner.solver.SolverSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

// Each test is one demand scenario fed into the same start -> feed -> tick steps; the steps repeat on purpose.
class ReplannerTest {

    private final PlanSolver solver = new PlanSolver(SolverSettings.defaults().withLimits(Duration.ofSeconds(2), Duration.ofMillis(200)));

    /** The tiny graph on two GPUs: its accurate detector needs a whole one. */
    private Replanner replanner() {
        PlanningInstance tiny = TinyGraph.instance(Policy.JIGSAW);
        PlanningInstance twoGpus = new PlanningInstance(tiny.graph(), tiny.profile(), tiny.demandRps(), 2, tiny.grid(), tiny.policy(),
                tiny.maxUtilisation(), tiny.accuracyRule());
        return new Replanner(twoGpus, solver::solve, new ReplanRule(0.25, 0.3, Duration.ofSeconds(10), 1),
                new DemandEstimator(1_000, 3_000));
    }

    /** Root telemetry of one replica, 1 s windows at {@code rps}, up to {@code untilMs}. */
    private static void feed(Replanner r, long fromMs, long untilMs, long rps) {
        for (long end = fromMs; end <= untilMs; end += 1_000) {
            r.observe(0, end, 1_000, rps);
        }
    }

    /** {@link #feed} then the tick at its end: what the replanner decides after that demand. */
    private static Optional<Replanner.Decision> afterDemand(Replanner r, long fromMs, long untilMs, long rps) {
        feed(r, fromMs, untilMs, rps);
        return r.tick(untilMs);
    }

    @Test
    void startsWithAPlanForTheExpectedDemandPlusHeadroom() {
        Replanner r = replanner();

        Replanner.Decision d = r.start(8, 0);

        assertThat(d.kind()).isEqualTo(Replanner.Kind.INITIAL);
        assertThat(d.targetRps()).isEqualTo(10.0);
        assertThat(d.solved().feasible()).isTrue();
        assertThat(r.current()).contains(d.solved());
    }

    @Test
    void keepsThePlanWhileDemandStaysInItsBandAndReplansWhenItRises() {
        Replanner r = replanner();
        r.start(8, 0);
        assertThat(afterDemand(r, 1_000, 5_000, 8)).isEmpty();

        Optional<Replanner.Decision> up = afterDemand(r, 6_000, 12_000, 30);

        assertThat(up).hasValueSatisfying(d -> {
            assertThat(d.kind()).isEqualTo(Replanner.Kind.UP);
            assertThat(d.estimateRps()).isCloseTo(30, org.assertj.core.api.Assertions.within(0.1));
            assertThat(d.solved().instance().demandRps()).isEqualTo(d.targetRps());
        });
        assertThat(r.tick(12_000)).isEmpty();
    }

    @Test
    void sizesDownAfterTheCooldownWhenDemandFalls() {
        Replanner r = replanner();
        r.start(30, 0);
        assertThat(afterDemand(r, 1_000, 8_000, 5)).as("within the cooldown").isEmpty();

        assertThat(afterDemand(r, 9_000, 11_000, 5)).hasValueSatisfying(d -> assertThat(d.kind()).isEqualTo(Replanner.Kind.DOWN));
    }

    @Test
    void anOverloadGetsTheMostThatFitsAndIsNotRetriedEveryTick() {
        Replanner r = replanner();
        Replanner.Decision first = r.start(8, 0);
        Replanner.Decision d = afterDemand(r, 1_000, 10_000, 100_000).orElseThrow();

        assertThat(d.kind()).isEqualTo(Replanner.Kind.BEST_EFFORT);
        assertThat(d.hasPlan()).isTrue();
        assertThat(d.reason()).contains("no feasible plan for 125000.0 req/s").contains("planned for the most that fits");
        assertThat(d.solved().feasible()).isTrue();
        assertThat(d.solved().instance().demandRps()).isGreaterThan(first.solved().instance().demandRps());
        assertThat(r.current()).contains(d.solved());
        assertThat(r.tick(10_000)).isEmpty();
    }

    @Test
    void whenNothingFitsItSaysSoAndKeepsNoPlan() {
        // On one GPU the tiny graph cannot meet its accuracy SLO at any demand: the accurate detector needs a whole GPU.
        Replanner r = new Replanner(TinyGraph.instance(Policy.JIGSAW), solver::solve, new ReplanRule(0.25, 0.3, Duration.ofSeconds(10), 1),
                new DemandEstimator(1_000, 3_000));

        Replanner.Decision d = r.start(8, 0);

        assertThat(d.kind()).isEqualTo(Replanner.Kind.INFEASIBLE);
        assertThat(d.hasPlan()).isFalse();
        assertThat(d.reason()).contains("no feasible plan").contains("no plan in force yet");
        assertThat(r.current()).isEmpty();
    }

    @Test
    void aRestartedReplannerPlansFromTheFirstEstimate() {
        Replanner r = replanner();
        assertThat(r.tick(0)).isEmpty();

        assertThat(afterDemand(r, 1_000, 2_000, 20)).hasValueSatisfying(d -> {
            assertThat(d.kind()).isEqualTo(Replanner.Kind.INITIAL);
            assertThat(d.targetRps()).isEqualTo(25.0);
        });
    }

    @Test
    void anObservedFanOutFarFromTheDeclaredOneReplansWithIt() {
        Replanner r = replanner();
        Replanner.Decision first = r.start(8, 0);
        String variant = first.solved().evaluation().tasks().get(0).option().variant();
        feed(r, 1_000, 5_000, 8);
        // The detector was declared to find 2 objects a frame; it finds 1 (100 frames a window).
        r.observeFanout("detect", variant, "classify", 100, 100);
        assertThat(r.tick(5_000)).as("100 frames are too few to trust").isEmpty();
        r.observeFanout("detect", variant, "classify", 150, 150);

        Replanner.Decision d = r.tick(6_000).orElseThrow();

        assertThat(d.kind()).isEqualTo(Replanner.Kind.FANOUT);
        assertThat(d.reason()).startsWith("fan-out changed").endsWith("with observed fan-outs");
        assertThat(r.fanout("detect", variant, "classify")).isEqualTo(1.0);
        // Classify now gets one piece a frame at the planned demand, not two.
        assertThat(d.solved().evaluation().tasks().get(1).rateRps()).isCloseTo(d.targetRps(), org.assertj.core.api.Assertions.within(1e-9));
        assertThat(r.tick(7_000)).as("planned with it: nothing more to do").isEmpty();
    }

    @Test
    void withMeasuredAccuracyAVariantThatServesWorseThanItsOfflineFigureReplans() {
        Replanner r = replanner().useMeasuredAccuracy();
        Replanner.Decision first = r.start(8, 0);
        String detector = first.solved().evaluation().tasks().get(0).option().variant();
        feed(r, 1_000, 5_000, 8);
        // Live, on requests that carried their truth, the detector in force scores half its offline figure.
        r.observeAccuracy("detect", detector, 60, 30);
        assertThat(r.tick(5_000)).as("60 scored requests are too few to trust").isEmpty();
        r.observeAccuracy("detect", detector, 60, 30);

        Replanner.Decision d = r.tick(6_000).orElseThrow();

        assertThat(d.kind()).isEqualTo(Replanner.Kind.ACCURACY);
        assertThat(d.reason()).startsWith("measured accuracy changed").endsWith("with measured accuracies");
        assertThat(d.solved().instance().graph().task("detect").orElseThrow().variant(detector).orElseThrow().accuracy())
                .isCloseTo(0.5, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(r.tick(7_000)).isEmpty();
    }

    @Test
    void withOfflineAccuracyMeasurementsChangeNothing() {
        Replanner r = replanner();
        Replanner.Decision first = r.start(8, 0);
        feed(r, 1_000, 5_000, 8);
        r.observeAccuracy("detect", first.solved().evaluation().tasks().get(0).option().variant(), 500, 100);

        assertThat(r.tick(6_000)).isEmpty();
    }
}
