package io.jigsaw.planner.sim;

import java.util.List;

/**
 * What a simulated run measured (a SIMULATION: profile latencies, no real serving).
 *
 * @param sloViolationPct requests late or dropped, in percent of all requests
 * @param gpuShareUsedPct time-mean of the GPU share the plans in force hold, in percent of all GPUs
 * @param accuracy mean end-to-end accuracy of completed requests (traffic-weighted over each request's paths)
 * @param timeline per simulated second, for plots
 * @param modelCpuMsPerRequest on a CPU device with the job's terms: the models' CPU time (batch time × the
 *        threads it ran on) per request of the trace; 0 otherwise. A calibration subtracts it from the job's
 *        measured CPU per request to find what the framework adds.
 * @param pathModelP50Ms p50 over answered requests of the time in batches along the slowest branch (the job's
 *        breakdown "model")
 */
public record SimulationResult(String policy, int gpus, long requests, long completed, long dropped, long late,
        double sloViolationPct, double p50Ms, double p99Ms, double gpuShareUsedPct, double accuracy, int plansApplied,
        int infeasibleDecisions, List<TaskStats> tasks, Timeline timeline, double wallSeconds,
        double planningSeconds, double modelCpuMsPerRequest, double pathModelP50Ms) {

    /** Simulated requests per minute of event-loop time (planning excluded: it is the planner's cost, not the simulator's). */
    public double requestsPerMinute() {
        double loop = wallSeconds - planningSeconds;
        return loop <= 0 ? 0 : requests / loop * 60;
    }

    /**
     * One task over the run.
     *
     * @param rungBatches batches run per variant (a ladder's rungs, a cascade's two stages)
     * @param cascadeInputs pieces through a cascade's first stage; {@code escalated} of them went on to its larger variant
     */
    public record TaskStats(String task, long pieces, long batches, double meanBatch, long droppedPieces, double meanWaitMs,
            double p99InTaskMs, java.util.Map<String, Long> rungBatches, long cascadeInputs, long escalated) {

        public TaskStats {
            rungBatches = java.util.Map.copyOf(rungBatches);
        }

        public TaskStats(String task, long pieces, long batches, double meanBatch, long droppedPieces, double meanWaitMs, double p99InTaskMs) {
            this(task, pieces, batches, meanBatch, droppedPieces, meanWaitMs, p99InTaskMs, java.util.Map.of(), 0, 0);
        }
    }

    /** Per simulated second: arrivals, SLO violations among those arrivals, GPU share held (percent of all GPUs). */
    public record Timeline(long[] arrivals, long[] violations, double[] gpuSharePct) {
    }
}
