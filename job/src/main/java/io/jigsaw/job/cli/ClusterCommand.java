package io.jigsaw.job.cli;

import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanFile;
import io.jigsaw.core.plan.PlanValidator;
import io.jigsaw.job.cluster.BuildOutputs;
import io.jigsaw.job.cluster.ClusterLayout;
import io.jigsaw.job.cluster.FlinkRest;
import io.jigsaw.job.cluster.LocalCluster;
import io.jigsaw.job.cluster.RestTls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

@Command(name = "cluster", mixinStandardHelpOptions = true,
        header = "Starts, shows or stops a local multi-process Flink cluster.",
        description = "A real Flink session cluster as separate processes on 127.0.0.1: one JobManager and one TaskManager "
                + "per GPU partition of a plan (plus a CPU TaskManager for Kafka and joins), started from Flink's jars with "
                + "flink-conf/config.yaml. Submit the job jar to it (bin/jigsaw demo --cluster local does) with "
                + "-Djigsaw.placement.pin-to-partitions=true so each task runs on its partitions. Logs, checkpoints and "
                + "cluster.json in .jigsaw/cluster/.",
        subcommands = {ClusterCommand.Start.class, ClusterCommand.Status.class, ClusterCommand.Stop.class})
final class ClusterCommand {

    static Path workDir() {
        return JigsawCli.home().resolve(".jigsaw/cluster");
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start the cluster for a plan's partitions and wait until every TaskManager has registered.")
    static final class Start implements java.util.concurrent.Callable<Integer> {

        @Option(names = "--plan", required = true, description = "The plan whose partitions become TaskManagers (e.g. examples/xr-scene/plan.json).")
        Path plan;

        @Option(names = "--graph", description = "Check the plan against this graph first.")
        Path graph;

        @picocli.CommandLine.Mixin
        ReplicaSlotsOption replicaSlots;

        @Bounds(min = 1, max = 65535)
        @Option(names = "--port", defaultValue = "8081", description = "REST API and dashboard port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--taskmanager-memory", defaultValue = "1024m", description = "Each TaskManager's Flink process size; the model's native memory comes on top (default: ${DEFAULT-VALUE}).")
        String taskManagerMemory;

        @Option(names = "--conf-dir", description = "Flink configuration directory (default: flink-conf/).")
        Path confDir;

        @Option(names = "--rest-tls", description = "Serve the REST API and dashboard over HTTPS with mutual TLS: only clients "
                + "holding this cluster's key get in (made on first use in .jigsaw/cluster/tls: rest.p12, its password in rest.password; "
                + "this CLI uses it by itself).")
        boolean restTls;

        @Bounds(min = 1)
        @Option(names = "--timeout", defaultValue = "180", description = "Seconds to wait for the TaskManagers (default: ${DEFAULT-VALUE}).")
        long timeoutSeconds;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            try {
                org.apache.flink.configuration.MemorySize.parse(taskManagerMemory);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--taskmanager-memory: expected a size such as 1024m or 2g, found '" + taskManagerMemory + "'");
            }
            Plan p = PlanFile.read(plan);
            if (graph != null) {
                p = PlanValidator.requireValid(p, GraphLoader.load(graph), plan);
            }
            ClusterLayout layout = ClusterLayout.of(p, replicaSlots.count);
            Path home = JigsawCli.home();
            LocalCluster.Settings settings = LocalCluster.Settings.ofCheckout(home, workDir(), port, taskManagerMemory);
            if (confDir != null) {
                settings = settings.withConfDir(confDir);
            }
            if (restTls) {
                settings = settings.withRestTls(RestTls.ensure(workDir().resolve("tls")));
            }
            long t0 = System.nanoTime();
            LocalCluster cluster = LocalCluster.start(layout, settings, Duration.ofSeconds(timeoutSeconds), System.err);
            System.err.printf("[cluster] all %d TaskManagers registered %.1f s after start%n", layout.taskManagers().size(),
                    (System.nanoTime() - t0) / 1e9);
            print(cluster);
            System.out.println("job jar:   " + BuildOutputs.jobJar(home));
            System.out.println("stop with: bin/jigsaw cluster stop");
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "The cluster's processes, TaskManagers and jobs.")
    static final class Status implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            LocalCluster cluster = recorded().orElse(null);
            if (cluster != null) {
                print(cluster);
            }
            return cluster != null && cluster.alive() ? 0 : 1;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop every process of the cluster.")
    static final class Stop implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            Optional<LocalCluster> cluster = recorded();
            if (cluster.isEmpty()) {
                return 0;
            }
            cluster.get().close();
            Files.deleteIfExists(workDir().resolve("cluster.json"));
            System.out.println("stopped the JobManager and " + (cluster.get().state().members().size() - 1) + " TaskManager(s)");
            return 0;
        }
    }

    /** The cluster recorded in the work directory, or a line saying there is none. */
    static Optional<LocalCluster> recorded() throws java.io.IOException {
        Optional<LocalCluster> cluster = LocalCluster.attach(workDir());
        if (cluster.isEmpty()) {
            System.out.println("no local cluster (nothing recorded in " + workDir() + ")");
        }
        return cluster;
    }

    static void print(LocalCluster cluster) throws Exception {
        FlinkRest rest = cluster.rest();
        boolean up = rest.up();
        List<String> registered = up ? rest.taskManagers() : List.of();
        System.out.println("dashboard: " + rest.url() + (up ? "" : "  (not answering)"));
        if (cluster.state().restTlsDir() != null) {
            System.out.println("rest tls:  mutual; a client needs " + Path.of(cluster.state().restTlsDir(), "rest.p12")
                    + " (PKCS12, password in rest.password beside it)");
        }
        System.out.printf("%-36s %-10s %-4s %-6s %-5s %-8s %-10s %s%n", "process", "role", "gpu", "share", "slots", "pid", "state", "log");
        for (LocalCluster.Member m : cluster.state().members()) {
            ClusterLayout.TaskManager tm = m.taskManager();
            String state = !cluster.alive(m) ? "exited" : tm == null ? (up ? "serving" : "starting")
                    : registered.contains(tm.id()) ? "registered" : "starting";
            System.out.printf("%-36s %-10s %-4s %-6s %-5s %-8d %-10s %s%n", m.name(), tm == null ? "jobmanager" : tm.role(),
                    tm == null || tm.gpu() == null ? "-" : tm.gpu(), tm == null || tm.share() == null ? "-" : tm.share() + "%",
                    tm == null ? "-" : tm.slots(), m.pid(), state, m.log());
        }
        if (up) {
            rest.jobs().forEach(job -> System.out.println("job: " + job));
        }
    }
}
