package io.jigsaw.planner.online;

import io.jigsaw.core.plan.Partition;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.TaskPlan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a new plan is worth moving the job for, on a cluster whose TaskManagers are the partitions of
 * the plan that runs. A plan that keeps every partition applies live (variants, batches, traffic
 * weights). One that changes them costs a pause: the job stops with a savepoint and resumes on the new
 * TaskManagers, serving nothing meanwhile and then catching up its backlog.
 *
 * <ul>
 *   <li>A plan that needs more than runs (a task with more replicas, or more GPU share in all) was made
 *       because the partitions running cannot serve the demand estimate: the move is made, whatever
 *       it costs, since requests are being dropped already.</li>
 *   <li>A plan that needs less saves GPU share: the move is made when the fraction of the share held
 *       that it frees outweighs the fraction of time the pause costs over the cool-down, the least time
 *       the smaller plan is kept (saving &gt; pause / cool-down). A pause measured on a move replaces the
 *       estimate it started with.</li>
 * </ul>
 *
 * @param cooldown the least time a smaller plan is kept (the re-planner's down cool-down)
 */
public record RepartitionRule(Duration cooldown) {

    public RepartitionRule {
        if (cooldown.isNegative() || cooldown.isZero()) {
            throw new IllegalArgumentException("the cool-down must be positive, got " + cooldown);
        }
    }

    /** A decision: move or keep, and why, in words a log or the demo's summary shows. */
    public record Decision(boolean move, String why) {
    }

    /**
     * @param running the plan whose partitions run
     * @param next the plan now in force
     * @param pauseMs what a move is expected to cost (the last one measured, else an estimate)
     * @return empty when {@code next} keeps every partition of {@code running} (no move to decide)
     */
    public Optional<Decision> decide(Plan running, Plan next, double pauseMs) {
        if (samePartitions(running, next)) {
            return Optional.empty();
        }
        List<String> grows = new ArrayList<>();
        for (TaskPlan t : next.tasks()) {
            int now = running.task(t.task()).map(TaskPlan::replicas).orElse(0);
            if (t.replicas() > now) {
                grows.add(t.task() + " " + now + " -> " + t.replicas() + " replicas");
            }
        }
        double held = sharePct(running);
        double needed = sharePct(next);
        if (!grows.isEmpty() || needed > held + 1e-9) {
            return Optional.of(new Decision(true, String.format(Locale.ROOT, "the partitions running cannot serve plan v%d (%s; "
                    + "GPU share %.0f%% -> %.0f%%)", next.version(), grows.isEmpty() ? "larger partitions" : String.join(", ", grows),
                    held, needed)));
        }
        double saving = held <= 0 ? 0 : (held - needed) / held;
        double cost = pauseMs / cooldown.toMillis();
        String figures = String.format(Locale.ROOT, "frees %.0f%% of the GPU share held (%.0f%% -> %.0f%%) against a pause of "
                + "%.1f s, %.0f%% of the %d s cool-down", 100 * saving, held, needed, pauseMs / 1000, 100 * cost, cooldown.toSeconds());
        return Optional.of(saving > cost ? new Decision(true, "plan v" + next.version() + " " + figures)
                : new Decision(false, "kept the partitions running: plan v" + next.version() + " " + figures));
    }

    /** Whether two plans have the same partitions, task by task (GPU, share, MIG slice; what a TaskManager is started with). */
    public static boolean samePartitions(Plan a, Plan b) {
        if (a.tasks().size() != b.tasks().size()) {
            return false;
        }
        for (TaskPlan t : a.tasks()) {
            Optional<TaskPlan> other = b.task(t.task());
            if (other.isEmpty() || other.get().partitions().size() != t.partitions().size()) {
                return false;
            }
            for (int i = 0; i < t.partitions().size(); i++) {
                Partition p = t.partitions().get(i);
                Partition q = other.get().partitions().get(i);
                if (p.gpu() != q.gpu() || Math.abs(p.share() - q.share()) > 1e-9 || !java.util.Objects.equals(p.migSlice(), q.migSlice())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Percent of one GPU the plan's partitions hold in all (200 = two whole GPUs). */
    public static double sharePct(Plan plan) {
        return plan.tasks().stream().flatMap(t -> t.partitions().stream()).mapToDouble(Partition::share).sum();
    }
}
