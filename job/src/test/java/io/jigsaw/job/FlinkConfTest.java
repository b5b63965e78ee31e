package io.jigsaw.job;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalResourceOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** flink-conf/config.yaml, read by Flink's own parser as a cluster reads it: the keys a GPU cluster relies on. */
class FlinkConfTest {

    static final Configuration CONF = GlobalConfiguration.loadConfiguration(
            Path.of(System.getProperty("jigsaw.examples.dir")).getParent().resolve("flink-conf").toString());

    static String string(String key) {
        return CONF.get(ConfigOptions.key(key).stringType().noDefaultValue());
    }

    @Test
    void checkpointsAndRestartsFromThemAfterAFailure() {
        assertThat(CONF.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("hashmap");
        assertThat(string("execution.checkpointing.mode")).isEqualTo("EXACTLY_ONCE");
        assertThat(string("execution.checkpointing.dir")).startsWith("file:");
        assertThat(CONF.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
        assertThat(CONF.get(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void eachTaskManagerDeclaresItsGpuAndItsPartitionEnvironment() {
        assertThat(CONF.get(ExternalResourceOptions.EXTERNAL_RESOURCE_LIST)).containsExactly("gpu");
        assertThat(string("external-resource.gpu.amount")).isEqualTo("1");
        assertThat(string("external-resource.gpu.driver-factory.class")).isEqualTo("org.apache.flink.externalresource.gpu.GPUDriverFactory");
        assertThat(string("containerized.taskmanager.env.CUDA_VISIBLE_DEVICES")).isNotBlank();
        assertThat(string("containerized.taskmanager.env.CUDA_MPS_ACTIVE_THREAD_PERCENTAGE")).isNotBlank();
    }

    @Test
    void exportsMetricsToPrometheusAndKeepsTheDashboardOnLoopback() {
        assertThat(string("metrics.reporter.prom.factory.class")).isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        assertThat(CONF.get(RestOptions.BIND_ADDRESS)).isEqualTo("127.0.0.1");
    }

    @Test
    void itsJigsawKeysAreJigsawOptionsWithTheServingDefaults() throws Exception {
        Set<String> known = Arrays.stream(JigsawOptions.class.getFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigOption.class)
                .map(FlinkConfTest::key).collect(Collectors.toSet());
        assertThat(CONF.keySet().stream().filter(k -> k.startsWith("jigsaw."))).as("no misspelled Jigsaw key").isNotEmpty()
                .allSatisfy(k -> assertThat(known).contains(k));

        assertThat(CONF.get(JigsawOptions.DELIVERY)).isEqualTo(JigsawOptions.Delivery.IDEMPOTENT);
        assertThat(CONF.get(JigsawOptions.CHECKPOINT_INTERVAL)).isEqualTo(Duration.ofSeconds(2));
        assertThat(CONF.get(JigsawOptions.BUFFER_TIMEOUT)).isEqualTo(Duration.ZERO);
        assertThat(CONF.get(JigsawOptions.EARLY_DROP)).isTrue();
    }

    private static String key(Field f) {
        try {
            return ((ConfigOption<?>) f.get(null)).key();
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
