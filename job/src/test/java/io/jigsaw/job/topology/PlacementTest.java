package io.jigsaw.job.topology;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.plan.Partition;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.TaskPlan;
import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.cluster.ClusterLayout;
import io.jigsaw.job.topology.JigsawJob;
import io.jigsaw.job.topology.Placement;
import io.jigsaw.operators.DemoGraph;
import io.jigsaw.runtime.DjlVariantRunner;
import org.apache.flink.api.common.resources.ExternalResource;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.clusterframework.types.ResourceProfile;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which operators ask for which partitions, and which TaskManagers a plan needs. */
class PlacementTest {

    private static StreamGraph jobGraph(boolean pin) {
        Configuration conf = new Configuration();
        conf.set(JigsawOptions.PIN_TO_PARTITIONS, pin);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JigsawJob.build(env, DemoGraph.load(), conf, DjlVariantRunner.factory());
        return env.getStreamGraph();
    }

    @Test
    void pinnedEachTaskAsksForItsOwnPartitionsResourceAndEverythingElseForTheIoTaskManager() {
        Graph graph = DemoGraph.load();
        StreamGraph streams = jobGraph(true);
        for (StreamNode node : streams.getStreamNodes()) {
            String role = graph.task(node.getOperatorName()).isPresent() ? node.getOperatorName() : Placement.IO;
            String group = Placement.resource(role);
            assertThat(node.getSlotSharingGroup()).as(node.getOperatorName()).isEqualTo(group);
            ResourceProfile asked = streams.getSlotSharingGroupResource(group).orElseThrow();
            assertThat(asked.getExtendedResources()).containsEntry(group, new ExternalResource(group, 1));
        }
        // The TaskManager of that role declares the resource it is asked for, one unit per slot.
        Map<String, String> tm = Placement.taskManagerConfig("detect", 2, 0, 40.0);
        assertThat(tm).containsEntry("external-resources", "jigsaw-task-detect")
                .containsEntry("external-resource.jigsaw-task-detect.amount", "2")
                .containsEntry("taskmanager.numberOfTaskSlots", "2")
                .containsEntry(JigsawOptions.PARTITION_GPU.key(), "0")
                .containsEntry(JigsawOptions.PARTITION_SHARE.key(), "40.0");
    }

    @Test
    void unpinnedTheJobAsksForNothingSoAMiniClusterCanRunIt() {
        StreamGraph streams = jobGraph(false);
        assertThat(streams.getStreamNodes()).extracting(StreamNode::getSlotSharingGroup).containsOnly("default");
    }

    @Test
    void aPlanNeedsOneTaskManagerPerPartitionWithTheTasksLanesSpreadOverThemPlusOneForIo() {
        Plan plan = new Plan("g", 1, "test", "", List.of(
                new TaskPlan("detect", "detect-m", 2, 10, 100, List.of(new Partition(0, 40), new Partition(1, 25.5))),
                new TaskPlan("fuse", "fuse-s", 4, 10, 100, List.of(new Partition(0, 10)))));

        ClusterLayout layout = ClusterLayout.of(plan, 3);

        assertThat(layout.taskManagers()).containsExactly(
                new ClusterLayout.TaskManager("io", Placement.IO, null, null, 3),
                new ClusterLayout.TaskManager("detect-0-gpu0-40pct", "detect", 0, 40.0, 2),
                new ClusterLayout.TaskManager("detect-1-gpu1-25_5pct", "detect", 1, 25.5, 1),
                new ClusterLayout.TaskManager("fuse-0-gpu0-10pct", "fuse", 0, 10.0, 3));
    }

    @Test
    void perPartitionEveryReplicaIsAOneSlotTaskManagerAndEachTaskRunsItsReplicaCount() {
        Plan plan = new Plan("g", 1, "test", "", List.of(
                new TaskPlan("detect", "detect-m", 2, 10, 100, List.of(new Partition(0, 40), new Partition(1, 25.5))),
                new TaskPlan("fuse", "fuse-s", 4, 10, 100, List.of(new Partition(0, 10)))));

        ClusterLayout layout = ClusterLayout.perPartition(plan, 3);

        assertThat(layout.taskManagers()).containsExactly(
                new ClusterLayout.TaskManager("io", Placement.IO, null, null, 3),
                new ClusterLayout.TaskManager("detect-0-gpu0-40pct", "detect", 0, 40.0, 1),
                new ClusterLayout.TaskManager("detect-1-gpu1-25_5pct", "detect", 1, 25.5, 1),
                new ClusterLayout.TaskManager("fuse-0-gpu0-10pct", "fuse", 0, 10.0, 1));
        assertThat(ClusterLayout.taskReplicas(plan)).containsExactly(Map.entry("detect", "2"), Map.entry("fuse", "1"));
    }

    @Test
    void eachTaskOperatorTakesTheParallelismNamedForItAndTheRestKeepTheReplicaSlots() {
        Configuration conf = new Configuration();
        conf.set(JigsawOptions.TASK_REPLICAS, Map.of("classify", "5", "detect", "1"));
        conf.set(JigsawOptions.REPLICA_SLOTS, 2);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JigsawJob.build(env, DemoGraph.load(), conf, DjlVariantRunner.factory());
        Map<String, Integer> parallelism = new java.util.HashMap<>();
        env.getStreamGraph().getStreamNodes().forEach(n -> parallelism.put(n.getOperatorName(), n.getParallelism()));

        assertThat(parallelism).containsEntry("classify", 5).containsEntry("detect", 1).containsEntry("depth", 2)
                .containsEntry("fuse", 2).containsEntry("decode-requests", 2).containsEntry("join:fuse", 2);
    }

    @Test
    void aReplicaCountForATaskTheGraphDoesNotHaveIsAnErrorNamingTheGraphsTasks() {
        Configuration conf = new Configuration();
        conf.set(JigsawOptions.TASK_REPLICAS, Map.of("detekt", "2"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JigsawJob.build(env, DemoGraph.load(), conf, DjlVariantRunner.factory()))
                .hasMessageContaining("jigsaw.task-replicas: detekt is no task of graph xr-scene")
                .hasMessageContaining("detect");
        conf.set(JigsawOptions.TASK_REPLICAS, Map.of("detect", "0"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JigsawJob.build(env, DemoGraph.load(), conf, DjlVariantRunner.factory()))
                .hasMessageContaining("task detect needs a replica count from 1 to");
    }

    @Test
    void aReplicaInAMigSliceGetsATaskManagerNamingTheSlice() {
        Plan plan = new Plan("g", 1, "test", "", List.of(
                new TaskPlan("answer", "bert", 1, 10, 100, List.of(new Partition(2, 100.0 / 14, null, 0, 0, "1g.10gb@3"),
                        new Partition(2, 300.0 / 7, null, 0, 0, "3g.40gb@4")))));

        ClusterLayout layout = ClusterLayout.of(plan, 2);

        assertThat(layout.taskManagers()).element(1).satisfies(tm -> {
            assertThat(tm.migSlice()).isEqualTo("1g.10gb@3");
            assertThat(tm.id()).isEqualTo("answer-0-gpu2-7_1pct-1g_10gb_3");
        });
        assertThat(layout.taskManagers()).element(2).extracting(ClusterLayout.TaskManager::migSlice).isEqualTo("3g.40gb@4");
    }
}
