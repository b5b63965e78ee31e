package io.jigsaw.planner.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the real job adds on top of the models' profiled batch times, for the simulator to model; each
 * term is off at zero, and {@link #label()} says which are on wherever a simulation is reported.
 *
 * @param cpuThreads on a CPU device (a profile measured on N threads, {@code cpu-Nt}): N, and two terms
 *        with it. <b>Thread budget</b>: a partition is a whole number of threads ({@code CpuShares}), so a
 *        batch runs at the measured row of the threads it gets, not at a row derived for its share.
 *        <b>Shared cores</b>: each request's framework CPU is work for the N cores, spread over the hops it
 *        makes (the way in counts twice, for the result's way out too): the way in on the source's threads (at
 *        most one per core, the others waiting in order), every other hop as part of its receiving task's batch
 *        (a Flink operator's own thread takes its input in before it runs the model). Everything on the cores —
 *        batches, the source, the framework's idle load — runs slower while more threads want them than there
 *        are (processor sharing). A request dropped early has cost only the hops it made. 0: not a CPU device,
 *        or both terms off
 * @param frameworkCpuMsPerRequest CPU milliseconds the job spends per request beside the models (Kafka, Avro,
 *        Flink's hops and state, the crops), on the models' cores; with {@code cpuThreads} only
 * @param frameworkIdleCores cores the framework keeps busy with no request at all; with {@code cpuThreads} only
 * @param hop what each move of a piece costs in time: into the graph's first task, from a task to the
 *        next, and from a leaf to the result (Flink's network stack, serialisation), as measured with the cores
 *        free; on a CPU device it includes the hop's framework CPU, which takes longer when the cores are busy
 * @param delivery from a result's assembly to the client's read (the results sink's write, the
 *        consumer's fetch); the planner keeps as much of the SLO back, as the job's sidecar does
 * @param batchOverheadMs what a batch takes in the job beyond its profiled time (the operator's dispatch, the
 *        tensors' conversions, caches cold from everything else on the machine), measured as the time in
 *        batches along a request's slowest branch in the job less the simulation's, per task on it; on a CPU
 *        device it is CPU on the batch's threads
 */
public record JobTerms(int cpuThreads, double frameworkCpuMsPerRequest, double frameworkIdleCores, Spread hop, Spread delivery,
        double batchOverheadMs) {

    /** The models' profiled times alone. */
    public static final JobTerms NONE = new JobTerms(0, 0, 0, Spread.ZERO, Spread.ZERO, 0);

    public JobTerms {
        java.util.Objects.requireNonNull(hop, "hop");
        java.util.Objects.requireNonNull(delivery, "delivery");
        if (cpuThreads < 0 || !(frameworkCpuMsPerRequest >= 0) || !(frameworkIdleCores >= 0) || !(batchOverheadMs >= 0)) {
            throw new IllegalArgumentException("the job's terms must be >= 0, found " + cpuThreads + " threads, "
                    + frameworkCpuMsPerRequest + " CPU ms per request, " + frameworkIdleCores + " idle cores, " + batchOverheadMs
                    + " ms per batch");
        }
    }

    public boolean none() {
        return cpuThreads == 0 && hop.equals(Spread.ZERO) && delivery.equals(Spread.ZERO) && batchOverheadMs == 0;
    }

    /** Which terms are on, with their figures: printed beside every simulation. */
    public String label() {
        List<String> on = new ArrayList<>();
        if (cpuThreads > 0) {
            on.add(String.format(Locale.ROOT, "thread budget and %d shared cores (framework %.1f CPU ms/request, %.2f idle cores)", cpuThreads,
                    frameworkCpuMsPerRequest, frameworkIdleCores));
        }
        if (hop.p99Ms() > 0) {
            on.add(String.format(Locale.ROOT, "%.2f ms per hop (p99 %.2f)", hop.p50Ms(), hop.p99Ms()));
        }
        if (delivery.p99Ms() > 0) {
            on.add(String.format(Locale.ROOT, "%.1f ms delivery (p99 %.1f)", delivery.p50Ms(), delivery.p99Ms()));
        }
        if (batchOverheadMs > 0) {
            on.add(String.format(Locale.ROOT, "%.2f ms per batch beyond the profile", batchOverheadMs));
        }
        return on.isEmpty() ? "models' profiled times only" : String.join(", ", on);
    }
}
