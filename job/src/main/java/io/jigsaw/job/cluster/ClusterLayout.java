package io.jigsaw.job.cluster;

import io.jigsaw.core.plan.Partition;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.TaskPlan;
import io.jigsaw.job.topology.Placement;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The TaskManagers a plan needs: one per GPU partition of the plan, hosting that task's replica
 * slots, plus one CPU TaskManager for the Kafka, decode, join and assembly operators.
 *
 * <p>Each task operator has {@code replicaSlots} subtasks (lanes) whatever the plan; a task's lanes
 * are spread over its partitions, so a task with one partition hosts all its lanes there. A later
 * plan that changes the partitions themselves needs TaskManagers started again (an MPS share is fixed
 * when its process starts); later plans that change variants, batches or lanes in use do not.
 */
public record ClusterLayout(List<TaskManager> taskManagers) {

    /**
     * One TaskManager to start.
     *
     * @param id Flink's resource id, also what the REST API and the dashboard show
     * @param role the task it serves, or {@link Placement#IO}
     * @param gpu its GPU (CUDA_VISIBLE_DEVICES); null for the CPU TaskManager
     * @param share its percent of that GPU (CUDA_MPS_ACTIVE_THREAD_PERCENTAGE; of its MIG slice's, where it has one); null for
     *     the CPU TaskManager
     * @param migSlice the MIG slice of that GPU it runs in ({@code 3g.40gb@4}), or null: an MPS share of the whole GPU
     */
    public record TaskManager(String id, String role, Integer gpu, Double share, int slots, String migSlice) {

        public TaskManager(String id, String role, Integer gpu, Double share, int slots) {
            this(id, role, gpu, share, slots, null);
        }
    }

    public ClusterLayout {
        taskManagers = List.copyOf(taskManagers);
    }

    public static ClusterLayout of(Plan plan, int replicaSlots) {
        if (replicaSlots < 1) {
            throw new IllegalArgumentException("replica slots must be >= 1, got " + replicaSlots);
        }
        List<TaskManager> out = new ArrayList<>();
        out.add(new TaskManager("io", Placement.IO, null, null, replicaSlots));
        for (TaskPlan t : plan.tasks()) {
            // More partitions than lanes: the extra ones could host nothing.
            int n = Math.min(t.partitions().size(), replicaSlots);
            for (int i = 0; i < n; i++) {
                Partition p = t.partitions().get(i);
                int lanes = replicaSlots / n + (i < replicaSlots % n ? 1 : 0);
                String id = String.format(Locale.ROOT, "%s-%d-gpu%d-%s", t.task(), i, p.gpu(), share(p.share()))
                        + (p.migSlice() == null ? "" : "-" + p.migSlice().replaceAll("[^A-Za-z0-9]", "_"));
                out.add(new TaskManager(id, t.task(), p.gpu(), p.share(), lanes, p.migSlice()));
            }
        }
        return new ClusterLayout(out);
    }

    private static String share(double percent) {
        return percent == Math.rint(percent) ? (long) percent + "pct" : String.format(Locale.ROOT, "%.1fpct", percent).replace('.', '_');
    }
}
