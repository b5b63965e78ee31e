package io.jigsaw.job.demo;

import io.jigsaw.job.broker.KafkaCluster;
import io.jigsaw.job.sidecar.PlannerSidecar;
import org.apache.flink.runtime.minicluster.MiniCluster;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code demo --chaos}: three faults while the trace plays, at a quarter, half and three quarters of
 * it — a TaskManager dies (a replacement starts, as a cluster manager would start one), the planner
 * sidecar dies for good (the job keeps the plan in force), and a broker crashes and comes back on its
 * ports and data. The broker comes last: with a single broker its effects (producers stalled, then
 * the backlog they send) outlast the crash by many seconds, and drops are counted per fault until
 * the next one ({@link #droppedAround}), so it gets the rest of the trace. The demo's summary then
 * shows what was lost, repeated, and dropped around each fault.
 */
final class Chaos implements Runnable {

    private final MiniCluster cluster;
    private final KafkaCluster broker;
    private final PlannerSidecar sidecar;
    private final long traceMs;
    private final PrintStream progress;
    private final BooleanSupplier stopped;
    private final List<String> injected = new ArrayList<>();
    private final List<Long> injectedAt = new ArrayList<>();
    private final long start = System.currentTimeMillis();

    /** @param sidecar null when the demo runs a static plan: that fault is skipped */
    Chaos(MiniCluster cluster, KafkaCluster broker, PlannerSidecar sidecar, long traceMs, PrintStream progress,
            BooleanSupplier stopped) {
        this.cluster = cluster;
        this.broker = broker;
        this.sidecar = sidecar;
        this.traceMs = traceMs;
        this.progress = progress;
        this.stopped = stopped;
    }

    @Override
    public void run() {
        try {
            if (await(0.25)) {
                fault("killed TaskManager 0 (a replacement starts)", () -> {
                    cluster.terminateTaskManager(0).get(60, java.util.concurrent.TimeUnit.SECONDS);
                    cluster.startTaskManager();
                });
            }
            if (sidecar != null && await(0.5)) {
                fault("killed the planner sidecar (not restarted: the job keeps the plan in force)", sidecar::close);
            }
            if (await(0.75)) {
                // With several brokers, the last one (any would do: clients know every broker's address).
                fault(broker.size() == 1 ? "crashed the Kafka broker and restarted it"
                                : "crashed Kafka broker " + broker.size() + " of " + broker.size() + " and restarted it",
                        () -> broker.crashAndRestart(broker.size() - 1, Duration.ofSeconds(120)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What was injected, with the seconds into the trace: for the summary. */
    synchronized List<String> injected() {
        return List.copyOf(injected);
    }

    private boolean await(double fraction) throws InterruptedException {
        long at = start + (long) (fraction * traceMs);
        while (!stopped.getAsBoolean() && System.currentTimeMillis() < at) {
            Thread.sleep(50);
        }
        return !stopped.getAsBoolean();
    }

    /**
     * Requests dropped around each fault: those whose event time lies from {@link #BEFORE_MS} before the fault
     * (a request sent just before it can be caught in it) to where the next fault's window starts, the last
     * fault's to the end of the run: the job's recovery and the backlog it then serves take seconds, and a
     * producer stalled by a broker's crash sends its backlog with new event times once it is back. The
     * windows do not overlap, so no drop is counted twice.
     *
     * @param droppedEventTimes event times of the requests answered dropped
     * @return fault → requests dropped in its window, in the order injected
     */
    synchronized Map<String, Long> droppedAround(List<Long> droppedEventTimes) {
        return droppedAround(injected, injectedAt, droppedEventTimes);
    }

    /** @param faults what was injected, {@code at} when (epoch ms), in order */
    static Map<String, Long> droppedAround(List<String> faults, List<Long> at, List<Long> droppedEventTimes) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < faults.size(); i++) {
            long from = at.get(i) - BEFORE_MS;
            long to = i + 1 < at.size() ? at.get(i + 1) - BEFORE_MS : Long.MAX_VALUE;
            out.put(faults.get(i), droppedEventTimes.stream().filter(t -> t >= from && t < to).count());
        }
        return out;
    }

    static final long BEFORE_MS = 2_000;

    private void fault(String what, Action action) {
        long at = System.currentTimeMillis();
        synchronized (this) {
            injectedAt.add(at);
        }
        String line = String.format(Locale.ROOT, "%.1f s: %s", (at - start) / 1000.0, what);
        progress.println("[chaos] " + line);
        try {
            action.run();
        } catch (Exception e) {
            line += " — failed: " + e;
            progress.println("[chaos] injecting the fault failed: " + e);
        }
        synchronized (this) {
            injected.add(line);
        }
    }

    private interface Action {
        void run() throws Exception;
    }
}
