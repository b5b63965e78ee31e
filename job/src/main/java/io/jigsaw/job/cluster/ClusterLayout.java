package io.jigsaw.job.cluster;

import io.jigsaw.core.plan.Partition;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.TaskPlan;
import io.jigsaw.job.topology.Placement;
import io.jigsaw.planner.profile.MigGeometry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The TaskManagers a plan needs: one per GPU partition of the plan, hosting that task's replica
 * slots, plus one CPU TaskManager for the Kafka, decode, join and assembly operators.
 *
 * <p>Two layouts. {@link #of}: each task operator has {@code replicaSlots} subtasks (lanes) whatever the
 * plan, spread over its partitions; a later plan that changes the partitions is not served by it.
 * {@link #perPartition}: one one-slot TaskManager per partition and each task's parallelism its replica
 * count; a later plan that changes partitions or replica counts is enacted by a {@link PartitionManager}
 * (an MPS share is fixed when its process starts, so a changed partition is a new TaskManager). Plans
 * that change only variants, batches or traffic weights apply live under either.
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

        /** The Flink options it is started with: its partition and slots ({@link Placement#taskManagerConfig}) and its resource id. */
        public java.util.Map<String, String> flinkOptions() {
            java.util.Map<String, String> options = new java.util.LinkedHashMap<>(Placement.taskManagerConfig(role, slots, gpu, share));
            options.put("taskmanager.resource-id", id);
            return options;
        }

        /** CUDA_MPS_ACTIVE_THREAD_PERCENTAGE for its process: its share, of its MIG slice where it has one (at least 1). */
        public long mpsPercentage() {
            double ofSlice = migSlice == null ? share : 100 * share / MigGeometry.share(MigGeometry.sizeOfName(migSlice));
            return Math.max(1, Math.round(ofSlice));
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
                out.add(partition(t, i, replicaSlots / n + (i < replicaSlots % n ? 1 : 0)));
            }
        }
        return new ClusterLayout(out);
    }

    /**
     * One TaskManager of one slot per partition of the plan, so each task runs exactly its replicas
     * ({@link #taskReplicas}) and no slot idles; the CPU TaskManager has {@code ioSlots} slots for the
     * Kafka, decode, join and assembly operators. What a {@link PartitionManager} keeps running.
     */
    public static ClusterLayout perPartition(Plan plan, int ioSlots) {
        if (ioSlots < 1) {
            throw new IllegalArgumentException("io slots must be >= 1, got " + ioSlots);
        }
        List<TaskManager> out = new ArrayList<>();
        out.add(new TaskManager("io", Placement.IO, null, null, ioSlots));
        for (TaskPlan t : plan.tasks()) {
            for (int i = 0; i < t.partitions().size(); i++) {
                out.add(partition(t, i, 1));
            }
        }
        return new ClusterLayout(out);
    }

    /** Each task's replica count in the plan, as jigsaw.task-replicas takes it (tasks without partitions left out). */
    public static java.util.Map<String, String> taskReplicas(Plan plan) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        plan.tasks().stream().filter(t -> !t.partitions().isEmpty())
                .forEach(t -> out.put(t.task(), String.valueOf(t.partitions().size())));
        return out;
    }

    /** {@link #taskReplicas} as the value of jigsaw.task-replicas: {@code detect:1,classify:3}. */
    public static String taskReplicasValue(Plan plan) {
        return taskReplicas(plan).entrySet().stream().map(e -> e.getKey() + ":" + e.getValue())
                .collect(java.util.stream.Collectors.joining(","));
    }

    /** The ids of its TaskManagers. */
    public List<String> ids() {
        return taskManagers.stream().map(TaskManager::id).toList();
    }

    /** Task → the ids of the TaskManagers serving it, as {@link FlinkRest#placement} reports a job's. */
    public java.util.Map<String, List<String>> byRole() {
        java.util.Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        taskManagers.forEach(tm -> out.computeIfAbsent(tm.role(), r -> new ArrayList<>()).add(tm.id()));
        return out;
    }

    /** The TaskManager of a task's partition {@code i}: its id names task, index, GPU, share (and MIG slice). */
    private static TaskManager partition(TaskPlan t, int i, int slots) {
        Partition p = t.partitions().get(i);
        String id = String.format(Locale.ROOT, "%s-%d-gpu%d-%s", t.task(), i, p.gpu(), share(p.share()))
                + (p.migSlice() == null ? "" : "-" + p.migSlice().replaceAll("[^A-Za-z0-9]", "_"));
        return new TaskManager(id, t.task(), p.gpu(), p.share(), slots, p.migSlice());
    }

    private static String share(double percent) {
        return percent == Math.rint(percent) ? (long) percent + "pct" : String.format(Locale.ROOT, "%.1fpct", percent).replace('.', '_');
    }
}
