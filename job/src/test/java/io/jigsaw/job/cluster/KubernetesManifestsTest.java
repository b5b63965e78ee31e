package io.jigsaw.job.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanFile;
import io.jigsaw.job.JigsawOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker/kubernetes/, checked offline (there is no Kubernetes here): every file parses as Kubernetes
 * objects, every -D option given to a Flink process is an option of Flink or Jigsaw, the TaskManager
 * manifests are what {@code bin/jigsaw cluster manifests} writes for the demo plan, and each carries its
 * partition as the local cluster does.
 */
class KubernetesManifestsTest {

    static final Path HOME = Path.of(System.getProperty("jigsaw.examples.dir")).getParent();
    static final Path DIR = HOME.resolve("docker/kubernetes");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(Files.readString(file))) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                    out.add(doc);
                }
            }
        }
        return out;
    }

    static List<JsonNode> all() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                out.addAll(documents(f));
            }
        }
        return out;
    }

    /** Every option key Flink's configuration classes and JigsawOptions declare, with their deprecated and fallback keys. */
    static Set<String> knownKeys() throws Exception {
        Set<String> keys = new HashSet<>();
        Path jar = Path.of(CoreOptions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Class<?>> classes = new ArrayList<>(List.of(JigsawOptions.class));
        try (JarFile j = new JarFile(jar.toFile())) {
            for (var e : java.util.Collections.list(j.entries())) {
                String n = e.getName();
                if (n.startsWith("org/apache/flink/configuration/") && n.endsWith("Options.class") && !n.contains("$")) {
                    classes.add(Class.forName(n.replace('/', '.').replace(".class", "")));
                }
            }
        }
        for (Class<?> c : classes) {
            for (Field f : c.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                    ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                    keys.add(o.key());
                    for (FallbackKey k : o.fallbackKeys()) {
                        keys.add(k.getKey());
                    }
                }
            }
        }
        return keys;
    }

    static Map<String, String> dynamicProperties(JsonNode container) {
        Map<String, String> out = new HashMap<>();
        for (JsonNode a : container.path("args")) {
            String arg = a.asText();
            if (arg.startsWith("-D")) {
                int eq = arg.indexOf('=');
                out.put(arg.substring(2, eq), arg.substring(eq + 1));
            }
        }
        return out;
    }

    @Test
    void everyFileParsesAsKubernetesObjectsWithValidNamesAndSelectorsThatMatchTheirPods() throws Exception {
        List<JsonNode> docs = all();
        assertThat(docs).extracting(d -> d.path("kind").asText()).contains("Deployment", "Service", "PersistentVolumeClaim");
        for (JsonNode d : docs) {
            String name = d.path("metadata").path("name").asText();
            assertThat(d.path("apiVersion").asText()).as(name).isNotEmpty();
            assertThat(name).as("a DNS-1123 name").matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
            if (d.path("kind").asText().equals("Deployment")) {
                d.path("spec").path("selector").path("matchLabels").fields().forEachRemaining(e -> assertThat(
                        d.path("spec").path("template").path("metadata").path("labels").path(e.getKey()).asText())
                        .as(name + " selects its own pods").isEqualTo(e.getValue().asText()));
            }
        }
    }

    @Test
    void everyOptionGivenToAFlinkProcessIsAnOptionFlinkOrJigsawHas() throws Exception {
        Set<String> known = knownKeys();
        int checked = 0;
        for (JsonNode d : all()) {
            for (JsonNode c : d.path("spec").path("template").path("spec").path("containers")) {
                for (String key : dynamicProperties(c).keySet()) {
                    // Per-resource keys are templates in Flink (external-resource.<name>.amount).
                    boolean templated = key.matches("external-resource\\.[a-z0-9-]+\\.amount");
                    assertThat(templated || known.contains(key)).as(key + " in " + d.path("metadata").path("name").asText()).isTrue();
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(30);
    }

    @Test
    void theTaskManagersFileIsWhatTheCommandWritesForTheDemoPlan() throws Exception {
        Plan plan = PlanFile.read(HOME.resolve("examples/xr-scene/plan.json"));

        assertThat(Files.readString(DIR.resolve("taskmanagers-xr-scene.yaml")))
                .as("regenerate: bin/jigsaw cluster manifests --plan examples/xr-scene/plan.json --out docker/kubernetes/taskmanagers-xr-scene.yaml")
                .isEqualTo(KubernetesManifests.taskManagers(plan, 2, "flink:2.2.1-java17"));
    }

    @Test
    void eachPartitionsPodCarriesItsPartitionAndAFlinkMemoryLayoutThatResolves() throws Exception {
        Plan plan = PlanFile.read(HOME.resolve("examples/xr-scene/plan.json"));
        Map<String, Double> shares = new HashMap<>();
        plan.tasks().forEach(t -> shares.put(t.task(), t.partitions().get(0).share()));

        List<JsonNode> pods = documents(DIR.resolve("taskmanagers-xr-scene.yaml"));
        assertThat(pods).hasSize(ClusterLayout.perPartition(plan, 2).ids().size());
        for (JsonNode d : pods) {
            JsonNode pod = d.path("spec").path("template").path("spec");
            JsonNode c = pod.path("containers").get(0);
            Map<String, String> options = dynamicProperties(c);
            String task = options.get(JigsawOptions.PARTITION_TASK.key());
            assertThat(options).containsEntry("taskmanager.numberOfTaskSlots", task.equals("io") ? "2" : "1")
                    .containsKey("taskmanager.resource-id");
            // What Flink's start script computes from the configuration must resolve, as it does for the local TaskManagers.
            Configuration conf = GlobalConfiguration.loadConfiguration(HOME.resolve("flink-conf").toString(), Configuration.fromMap(options));
            assertThat(TaskExecutorProcessUtils.processSpecFromConfig(conf).getNumSlots()).isEqualTo(task.equals("io") ? 2 : 1);
            // Kubernetes takes an env value, a label or a node selector only as a string (kubectl refuses 40, takes "40").
            c.path("env").forEach(e -> assertThat(e.path("value").isTextual()).as(e.toString()).isTrue());
            pod.path("nodeSelector").forEach(v -> assertThat(v.isTextual()).isTrue());
            if (!task.equals("io")) {
                assertThat(c.path("env").findValuesAsText("value")).contains(String.valueOf(Math.round(shares.get(task))));
                assertThat(pod.path("hostIPC").asBoolean()).isTrue();
                assertThat(pod.path("nodeSelector").path("jigsaw.io/gpu").asText()).isEqualTo("0");
            }
        }
    }

    @Test
    void aFractionalShareOrASliceNameBecomesAValidPodName() {
        assertThat(KubernetesManifests.name("detect-1-gpu1-25_5pct-1g_10gb_3")).isEqualTo("jigsaw-tm-detect-1-gpu1-25-5pct-1g-10gb-3");
    }
}
