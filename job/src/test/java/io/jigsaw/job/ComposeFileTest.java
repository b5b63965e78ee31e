package io.jigsaw.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker/compose.yaml cannot run here (no Docker engine): this checks what can be checked without
 * one — it parses, every TaskManager is a GPU partition with its own device and MPS share,
 * published ports stay on loopback, mounted files exist, and Prometheus scrapes every TaskManager.
 */
class ComposeFileTest {

    static final Path DOCKER = Path.of(System.getProperty("jigsaw.examples.dir")).getParent().resolve("docker");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static JsonNode compose() throws Exception {
        return YAML.readTree(DOCKER.resolve("compose.yaml").toFile());
    }

    /**
     * A service with the keys of the template it merges in ({@code <<: *name}). Jackson reads an alias as
     * its anchor's name, so this resolves it by the file's convention: anchor {@code name} is defined on
     * the top-level key {@code x-name}.
     */
    static JsonNode merged(JsonNode compose, String service) {
        JsonNode s = compose.path("services").path(service);
        if (!s.has("<<")) {
            return s;
        }
        com.fasterxml.jackson.databind.node.ObjectNode out = compose.path("x-" + s.path("<<").asText()).deepCopy();
        s.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("<<")) {
                out.set(e.getKey(), e.getValue());
            }
        });
        return out;
    }

    static List<String> taskManagers(JsonNode services) {
        List<String> names = new ArrayList<>();
        services.fieldNames().forEachRemaining(n -> {
            if (n.startsWith("taskmanager")) {
                names.add(n);
            }
        });
        return names;
    }

    @Test
    void everyTaskManagerIsAGpuPartitionWithItsDeviceAndMpsShare() throws Exception {
        JsonNode compose = compose();
        List<String> tms = taskManagers(compose.path("services"));
        assertThat(tms).hasSizeGreaterThanOrEqualTo(2);
        Set<String> partitions = new HashSet<>();
        for (String name : tms) {
            JsonNode tm = merged(compose, name);
            assertThat(tm.path("command").asText()).as(name).isEqualTo("taskmanager");
            assertThat(tm.path("deploy").path("resources").path("reservations").path("devices").get(0).path("capabilities").toString())
                    .as(name + " requests a GPU").contains("gpu");
            JsonNode env = tm.path("environment");
            assertThat(env.path("CUDA_VISIBLE_DEVICES").asText()).as(name).isNotBlank();
            int share = env.path("CUDA_MPS_ACTIVE_THREAD_PERCENTAGE").asInt();
            assertThat(share).as(name + " MPS share").isBetween(1, 100);
            assertThat(env.path("TENSORFLOW_LIBRARY_PATH").asText()).as(name).isNotBlank();
            partitions.add(env.path("CUDA_VISIBLE_DEVICES").asText() + "@" + share + "@" + name);
        }
        assertThat(partitions).hasSize(tms.size());
        assertThat(compose.path("services").has("mps")).as("the MPS control daemon").isTrue();
        assertThat(compose.path("services").path("mps").path("command").toString()).contains("nvidia-cuda-mps-control");
    }

    @Test
    void publishedPortsBindLoopbackAndMountedFilesExist() throws Exception {
        JsonNode compose = compose();
        JsonNode services = compose.path("services");
        services.fieldNames().forEachRemaining(name -> {
            JsonNode service = merged(compose, name);
            for (JsonNode port : service.path("ports")) {
                assertThat(port.asText()).as(name + " port").startsWith("127.0.0.1:");
            }
            for (JsonNode volume : service.path("volumes")) {
                String source = volume.asText().split(":")[0];
                if (source.startsWith(".")) {
                    assertThat(DOCKER.resolve(source).normalize()).as(name + " mounts " + source)
                            .satisfiesAnyOf(p -> assertThat(p).exists(), p -> assertThat(source).contains(".jigsaw/tf-native"),
                                    // Built by `package`, after this test runs.
                                    p -> assertThat(source).isEqualTo("../job/target/jigsaw-flink-job.jar"));
                }
            }
        });
        assertThat(services.fieldNames()).toIterable().contains("kafka", "jobmanager", "planner", "prometheus");
    }

    @Test
    void prometheusScrapesTheJobManagerAndEveryTaskManager() throws Exception {
        JsonNode services = compose().path("services");
        String scrape = Files.readString(DOCKER.resolve("prometheus.yml"));
        assertThat(YAML.readTree(scrape).path("scrape_configs")).isNotEmpty();
        assertThat(scrape).contains("jobmanager:9249");
        for (String tm : taskManagers(services)) {
            assertThat(scrape).as(tm).contains(tm + ":9249");
        }
    }
}
