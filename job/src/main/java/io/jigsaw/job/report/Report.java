package io.jigsaw.job.report;

import io.jigsaw.planner.sim.SimulationResult;

import java.util.List;

/**
 * The figures a report shows: capacity per policy over a sweep of GPUs and accuracy SLOs, and
 * (with a trace) one simulated run per policy; and runs the real job served, with the accuracy
 * their plans promised against the accuracy measured on their truth.
 *
 * @param derivedRows partition rows derived by the partition model (0: all measured)
 */
public record Report(String graph, String device, double latencySloMs, long derivedRows, List<CapacityPoint> capacity,
        String trace, int simulatedGpus, double simulatedAccuracySlo, List<SimulationResult> simulations, List<ServedRun> served,
        List<LatencyPoint> latencySweep) {

    public Report(String graph, String device, double latencySloMs, long derivedRows, List<CapacityPoint> capacity,
            String trace, int simulatedGpus, double simulatedAccuracySlo, List<SimulationResult> simulations, List<ServedRun> served) {
        this(graph, device, latencySloMs, derivedRows, capacity, trace, simulatedGpus, simulatedAccuracySlo, simulations, served, List.of());
    }

    /** One capacity search of the latency-SLO sweep (at the report's accuracy SLO). */
    public record LatencyPoint(double latencySloMs, double accuracySlo, int gpus, String policy, double capacityRps, long splitTasks,
            boolean usesDerivedRows) {
    }

    /** One capacity search. */
    public record CapacityPoint(double accuracySlo, int gpus, String policy, double capacityRps, String limitedBy, boolean usesDerivedRows) {
    }
}
