package io.jigsaw.job.topology;

import io.jigsaw.job.JigsawOptions;
import org.apache.flink.api.common.operators.SlotSharingGroup;
import org.apache.flink.configuration.Configuration;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which TaskManagers an operator may run on, when TaskManagers are GPU partitions.
 *
 * <p>Flink cannot pin an operator to a named TaskManager; its scheduler matches slot requests to the
 * resources TaskManagers declare. So a partition's TaskManager declares an external resource named
 * for the task it serves ({@code jigsaw-task-detect}, one unit per replica slot it hosts), the task's
 * slot sharing group asks for one unit per slot, and the scheduler can put the task nowhere else. The
 * Kafka, decode, join and assembly operators ask for {@code jigsaw-io}, which a CPU TaskManager
 * declares. The job and the cluster launcher both take the names from here, so they cannot drift apart.
 */
public final class Placement {

    /** The role of the CPU TaskManager that hosts everything but the tasks. */
    public static final String IO = "io";

    /** What one slot asks for besides the resource: small, the model's memory is native, outside the heap. */
    static final double SLOT_CPU_CORES = 0.25;
    static final int SLOT_TASK_HEAP_MB = 64;

    private Placement() {
    }

    /** The external resource a role's TaskManagers declare: a task's name, or {@link #IO}. */
    public static String resource(String role) {
        return IO.equals(role) ? "jigsaw-io" : "jigsaw-task-" + role;
    }

    /** The slot sharing group of a role's operators, asking for one unit of its resource per slot. */
    public static SlotSharingGroup group(String role) {
        return SlotSharingGroup.newBuilder(resource(role))
                .setCpuCores(SLOT_CPU_CORES)
                .setTaskHeapMemoryMB(SLOT_TASK_HEAP_MB)
                .setExternalResource(resource(role), 1)
                .build();
    }

    /**
     * A TaskManager's configuration for a role with {@code slots} slots: the resource, with as many
     * units as slots, and the partition it is (GPU and share; null for the CPU TaskManager).
     */
    public static Map<String, String> taskManagerConfig(String role, int slots, Integer gpu, Double share) {
        String name = resource(role);
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("external-resources", name);
        conf.put("external-resource." + name + ".amount", String.valueOf(slots));
        conf.put("taskmanager.numberOfTaskSlots", String.valueOf(slots));
        conf.put(JigsawOptions.PARTITION_TASK.key(), role);
        if (gpu != null) {
            conf.put(JigsawOptions.PARTITION_GPU.key(), String.valueOf(gpu));
        }
        if (share != null) {
            conf.put(JigsawOptions.PARTITION_SHARE.key(), String.valueOf(share));
        }
        return conf;
    }

    /** Whether the job should ask for partitions at all (off on a MiniCluster, whose slots declare none). */
    static boolean enabled(Configuration conf) {
        return conf.get(JigsawOptions.PIN_TO_PARTITIONS);
    }
}
