package io.jigsaw.job;

import io.jigsaw.job.cluster.InProcessCluster;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's cluster (a MiniCluster in its JVM, configured by {@link InProcessCluster#loopbackOnly})
 * listens on 127.0.0.1 alone while a job runs: REST and dashboard, blob server, RPC, data.
 */
class LoopbackBindingTest {

    @Test
    void everySocketTheDemosClusterListensOnIsOnLoopback() throws Exception {
        List<ListeningSockets.Listening> before = ListeningSockets.ofThisProcess();
        Configuration flink = InProcessCluster.loopbackOnly(new Configuration());
        flink.set(RestOptions.PORT, 0);
        try (MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(flink)
                .setNumTaskManagers(2).setNumSlotsPerTaskManager(1).build())) {
            cluster.start();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment("127.0.0.1",
                    cluster.getRestAddress().get().getPort(), new Configuration());
            env.setParallelism(2);
            // Two TaskManagers and a shuffle between them: their data ports open too.
            env.fromSequence(0, Long.MAX_VALUE).keyBy(i -> i % 7).map(i -> i).sinkTo(new DiscardingSink<>());
            JobClient job = env.executeAsync("loopback");
            long until = System.currentTimeMillis() + 60_000;
            while (job.getJobStatus().get(10, TimeUnit.SECONDS) != org.apache.flink.api.common.JobStatus.RUNNING
                    && System.currentTimeMillis() < until) {
                Thread.sleep(100);
            }
            Thread.sleep(1000);

            List<ListeningSockets.Listening> opened = ListeningSockets.ofThisProcess().stream().filter(s -> !before.contains(s)).toList();
            System.out.println("[loopback] the cluster listens on " + opened);

            assertThat(opened).as("REST at least").isNotEmpty();
            assertThat(opened).allSatisfy(s -> assertThat(ListeningSockets.loopback(s.address())).as(s.toString()).isTrue());
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }
}
