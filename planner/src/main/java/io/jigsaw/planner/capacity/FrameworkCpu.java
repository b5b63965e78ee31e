package io.jigsaw.planner.capacity;

import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.SolvedPlan;
import io.jigsaw.planner.model.TaskLoad;
import io.jigsaw.planner.profile.ProfileRow;

/**
 * The framework's CPU per request on a CPU device, derived from a measurement instead of taken from the
 * no-op benchmark: the CPU the whole machine spent per request while the job served a plan, less what the
 * planner's own model says that plan's models took. What is left (Kafka clients, Avro, Flink's hops, state
 * and checkpoints, the broker, and anything else on the same cores, such as a load generator) is the figure
 * {@link PlanningInstance#withFrameworkCpu} keeps free; planning with it makes the model agree with the
 * machine at the measured plan, whatever the no-op benchmark missed (the models' own overhead around a
 * batch, the width the job runs at).
 */
public final class FrameworkCpu {

    private FrameworkCpu() {
    }

    /**
     * CPU milliseconds per request the plan's models take in the planner's model: for each group of
     * replicas, its pieces per second × the profile's median batch time ÷ batch × the threads its share
     * stands for (share % of the device's threads), over the demand.
     *
     * @throws IllegalArgumentException when the plan's profile is not of a CPU device ({@code cpu-Nt})
     */
    public static double modelCpuMsPerRequest(SolvedPlan plan) {
        PlanningInstance instance = plan.instance();
        int threads = instance.profile().cpuThreads().orElseThrow(() -> new IllegalArgumentException(
                "the framework's CPU is only kept free on a CPU device (a cpu-Nt profile); this profile is of "
                        + instance.profile().device()));
        if (instance.demandRps() <= 0) {
            throw new IllegalArgumentException("a plan for " + instance.demandRps() + " req/s takes no CPU per request");
        }
        double cpuMsPerSecond = 0;
        for (TaskLoad load : plan.evaluation().tasks()) {
            for (TaskLoad group = load; group != null; group = group.spill()) {
                if (group.replicas() > 0 && group.option().share() > 0) {
                    ProfileRow row = instance.row(group.option());
                    cpuMsPerSecond += group.rateRps() * row.p50Ms() / row.batch() * group.option().share() / 100.0 * threads;
                }
            }
        }
        return cpuMsPerSecond / instance.demandRps();
    }

    /**
     * @param measuredCpuMsPerRequest CPU the machine spent per request (every process on the cores the
     *     models use) while the job served {@code plan} at its demand
     * @return the measured CPU per request less {@link #modelCpuMsPerRequest}, at least 0
     */
    public static double derive(SolvedPlan plan, double measuredCpuMsPerRequest) {
        return Math.max(0, measuredCpuMsPerRequest - modelCpuMsPerRequest(plan));
    }
}
