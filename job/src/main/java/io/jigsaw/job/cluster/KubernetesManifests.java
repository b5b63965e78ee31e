package io.jigsaw.job.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.jigsaw.core.plan.Plan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A plan's TaskManagers as Kubernetes Deployments for a standalone Flink session cluster (Flink's
 * {@code flink} image, its {@code taskmanager} command): one Deployment of one pod per partition, carrying
 * the partition as {@link LocalCluster} carries it locally — the resource id, the external resource its
 * task's operators ask for, one slot, {@code jigsaw.partition.*}, and {@code CUDA_MPS_ACTIVE_THREAD_PERCENTAGE}
 * in its environment — plus the CPU TaskManager. A Kubernetes {@link TaskManagerLauncher} would apply and delete
 * these per partition as the {@link PartitionManager} asks; none is built (no cluster to run it here), the
 * manifests are written by {@code bin/jigsaw cluster manifests} and checked offline (docs/operations.md).
 *
 * <p>GPU placement follows the plan's GPU index through a node label: a pod of GPU {@code g}'s partitions is
 * scheduled on the node labelled {@code jigsaw.io/gpu=g}, which holds that GPU and runs its MPS control daemon
 * (hostIPC and the daemon's pipe directory from the host); the NVIDIA device plugin is not asked for a GPU, since
 * MPS shares one GPU among the partitions' pods.
 */
public final class KubernetesManifests {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // Kubernetes reads env values and labels as strings: 40 must be written "40".
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

    private KubernetesManifests() {
    }

    /** The Deployments, as one multi-document YAML text (documents separated by {@code ---}). */
    public static String taskManagers(Plan plan, int ioSlots, String image) {
        StringBuilder out = new StringBuilder();
        out.append("# The TaskManagers of plan v").append(plan.version()).append(" of ").append(plan.graph())
                .append(": one Deployment per partition, written by bin/jigsaw cluster manifests.\n")
                .append("# NOT RUN here (no Kubernetes): KubernetesManifestsTest parses it and checks every Flink and Jigsaw option.\n");
        for (ClusterLayout.TaskManager tm : ClusterLayout.perPartition(plan, ioSlots).taskManagers()) {
            out.append("---\n");
            try {
                out.append(YAML.writeValueAsString(deployment(tm, image)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out.toString();
    }

    /** A Kubernetes name for a TaskManager id: lowercase letters, digits and dashes. */
    public static String name(String id) {
        return ("jigsaw-tm-" + id.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")).replaceAll("-$", "");
    }

    /** An ordered map of key, value pairs: the YAML keeps this order, so the file written is the same each time. */
    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    private static Map<String, Object> deployment(ClusterLayout.TaskManager tm, String image) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app", "jigsaw");
        labels.put("component", "taskmanager");
        labels.put("jigsaw.io/partition", name(tm.id()).substring("jigsaw-tm-".length()));

        List<String> args = new ArrayList<>();
        args.add("taskmanager");
        Map<String, String> options = tm.flinkOptions();
        options.put("jobmanager.rpc.address", "flink-jobmanager");
        options.forEach((k, v) -> args.add("-D" + k + "=" + v));

        Map<String, Object> container = new LinkedHashMap<>();
        container.put("name", "taskmanager");
        container.put("image", image);
        container.put("args", args);
        List<Map<String, Object>> env = new ArrayList<>();
        Map<String, Object> pod = new LinkedHashMap<>();
        List<Map<String, Object>> volumes = new ArrayList<>();
        List<Map<String, Object>> mounts = new ArrayList<>();
        mounts.add(map("name", "flink-config", "mountPath", "/opt/flink/conf"));
        volumes.add(map("name", "flink-config", "configMap", map("name", "jigsaw-flink-config")));
        if (tm.gpu() != null) {
            if (tm.migSlice() != null) {
                env.add(map("name", "JIGSAW_MIG_SLICE", "value", tm.migSlice()));
            }
            env.add(map("name", "CUDA_MPS_ACTIVE_THREAD_PERCENTAGE", "value", String.valueOf(tm.mpsPercentage())));
            env.add(map("name", "CUDA_MPS_PIPE_DIRECTORY", "value", "/tmp/nvidia-mps"));
            mounts.add(map("name", "nvidia-mps", "mountPath", "/tmp/nvidia-mps"));
            volumes.add(map("name", "nvidia-mps", "hostPath", map("path", "/tmp/nvidia-mps")));
            pod.put("hostIPC", true);
            pod.put("nodeSelector", map("jigsaw.io/gpu", String.valueOf(tm.gpu())));
        }
        if (!env.isEmpty()) {
            container.put("env", env);
        }
        container.put("volumeMounts", mounts);
        pod.put("containers", List.of(container));
        pod.put("volumes", volumes);

        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("replicas", 1);
        spec.put("selector", map("matchLabels", labels));
        spec.put("template", map("metadata", map("labels", labels), "spec", pod));
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("apiVersion", "apps/v1");
        d.put("kind", "Deployment");
        d.put("metadata", map("name", name(tm.id()), "labels", labels));
        d.put("spec", spec);
        return d;
    }
}
