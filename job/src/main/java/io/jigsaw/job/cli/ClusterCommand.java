package io.jigsaw.job.cli;

import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanFile;
import io.jigsaw.core.plan.PlanValidator;
import io.jigsaw.job.cluster.BuildOutputs;
import io.jigsaw.job.cluster.ClusterLayout;
import io.jigsaw.job.cluster.FlinkRest;
import io.jigsaw.job.cluster.LocalCluster;
import io.jigsaw.job.cluster.PartitionManager;
import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.KafkaConnection;
import io.jigsaw.job.kafka.Topics;
import io.jigsaw.core.plan.PlanAvro;
import org.apache.flink.configuration.Configuration;
import io.jigsaw.job.cluster.RestTls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

@Command(name = "cluster", mixinStandardHelpOptions = true,
        header = "Runs a local Flink cluster; moves the job between plans.",
        description = "A real Flink session cluster as separate processes on 127.0.0.1: one JobManager and one one-slot "
                + "TaskManager per GPU partition of a plan (plus a CPU TaskManager for Kafka and joins), started from Flink's "
                + "jars with flink-conf/config.yaml. `submit` runs the job jar on it with each task pinned to its partitions "
                + "and as many subtasks as the plan gives it replicas; `move` enacts a plan with other partitions or replica "
                + "counts: new TaskManagers started, the job stopped with a savepoint, unused TaskManagers stopped, the job "
                + "resumed from the savepoint (PartitionManager). Logs, checkpoints, savepoints, cluster.json and job.json in "
                + ".jigsaw/cluster/.",
        subcommands = {ClusterCommand.Start.class, ClusterCommand.Submit.class, ClusterCommand.Move.class, ClusterCommand.Status.class,
                ClusterCommand.Stop.class, ClusterCommand.Manifests.class})
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
            ClusterLayout layout = ClusterLayout.perPartition(p, replicaSlots.count);
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
            System.out.println("submit with: bin/jigsaw cluster submit --plan " + plan + " --graph GRAPH --bootstrap HOST:PORT"
                    + "  (or run the jar yourself with -D" + JigsawOptions.PIN_TO_PARTITIONS.key() + "=true -D"
                    + JigsawOptions.REPLICA_SLOTS.key() + "=" + replicaSlots.count + " -D" + JigsawOptions.TASK_REPLICAS.key() + "="
                    + ClusterLayout.taskReplicasValue(p) + ")");
            System.out.println("stop with: bin/jigsaw cluster stop");
            return 0;
        }
    }

    /** What `submit` and `move` take alike: the job's Kafka and options, and how long any one wait may take. */
    static final class JobOptions {

        @picocli.CommandLine.Mixin
        KafkaClientOption kafka;

        @picocli.CommandLine.Mixin
        ConfigurationOption options;

        @Bounds(min = 1)
        @Option(names = "--timeout", defaultValue = "240", description = "Seconds any one wait may take (default: ${DEFAULT-VALUE}).")
        long timeoutSeconds;

        Configuration conf() {
            Configuration conf = options.toConfiguration();
            kafka.applyTo(conf);
            return conf;
        }

        Duration timeout() {
            return Duration.ofSeconds(timeoutSeconds);
        }

        static void say(String line) {
            System.err.println("[partitions] " + line);
        }
    }

    /** What `submit` records for `move`: how the job is submitted, and the job that runs (its plan in running-plan.json). */
    record JobRecord(PartitionManager.Submission submission, int ioSlots, String jobId, String graph) {
    }

    /** Records the job and the plan whose partitions it runs on. */
    static void record(JobRecord job, Plan running) throws java.io.IOException {
        PlanFile.write(running, runningPlan());
        JSON.writeValue(jobRecord().toFile(), job);
    }

    static Path runningPlan() {
        return workDir().resolve("running-plan.json");
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper()
            .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);

    static Path jobRecord() {
        return workDir().resolve("job.json");
    }

    /** The local cluster recorded in the work directory, running; else a usage error. */
    static LocalCluster running(picocli.CommandLine.Model.CommandSpec spec) throws java.io.IOException {
        Optional<LocalCluster> cluster = LocalCluster.attach(workDir());
        if (cluster.isEmpty() || !cluster.get().alive()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "no local cluster is running from " + workDir()
                    + ": start one with bin/jigsaw cluster start --plan PLAN");
        }
        return cluster.get();
    }

    /** Publishes a plan to the job's plans topic (the job serves the newest valid plan it reads there). */
    static void publish(Plan p, Configuration conf) throws Exception {
        try (AvroProducer producer = new AvroProducer(KafkaConnection.from(conf))) {
            producer.send(Topics.from(conf).plans(), p.graph(), PlanAvro.toAvro(p)).get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Command(name = "submit", mixinStandardHelpOptions = true,
            description = "Publish a plan and run the job jar on the cluster with each task on its partitions, one subtask per "
                    + "replica; records the submission in .jigsaw/cluster/job.json for `move`.")
    static final class Submit implements java.util.concurrent.Callable<Integer> {

        @Option(names = "--plan", required = true, description = "The plan to serve (the cluster's TaskManagers are laid out for it; "
                + "missing ones are started, unused ones stopped).")
        Path plan;

        @Option(names = "--graph", required = true, description = "Graph YAML (every TaskManager must see its models_dir).")
        Path graph;

        @Option(names = "--models-dir", description = "Overrides the graph's models_dir.")
        Path modelsDir;

        @Option(names = "--create-topics", description = "Create the five topics if missing.")
        boolean createTopics;

        @picocli.CommandLine.Mixin
        JobOptions job;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            LocalCluster cluster = running(spec);
            Configuration conf = job.conf();
            if (createTopics) {
                Topics.from(conf).create(KafkaConnection.from(conf), conf.get(JigsawOptions.REPLICA_SLOTS));
            }
            Plan p = PlanValidator.requireValid(PlanFile.read(plan), GraphLoader.load(graph), plan);
            int ioSlots = cluster.running().stream().filter(tm -> tm.role().equals(io.jigsaw.job.topology.Placement.IO))
                    .mapToInt(ClusterLayout.TaskManager::slots).findFirst().orElse(conf.get(JigsawOptions.REPLICA_SLOTS));
            List<String> args = new java.util.ArrayList<>(List.of("--graph", graph.toAbsolutePath().toString()));
            if (modelsDir != null) {
                args.addAll(List.of("--models-dir", modelsDir.toAbsolutePath().toString()));
            }
            Configuration submitted = new Configuration(conf);
            submitted.set(JigsawOptions.PIN_TO_PARTITIONS, true);
            submitted.toMap().forEach((k, v) -> args.add("-D" + k + "=" + v));
            PartitionManager.Submission submission = new PartitionManager.Submission(BuildOutputs.jobJar(JigsawCli.home()),
                    "io.jigsaw.job.cli.JobMain", args);
            publish(p, conf);
            PartitionManager manager = new PartitionManager(cluster, submission, ioSlots, job.timeout(), JobOptions::say);
            String jobId = manager.submit(p);
            record(new JobRecord(submission, ioSlots, jobId, graph.toAbsolutePath().toString()), p);
            System.out.println("job " + jobId + " serving plan v" + p.version() + "; placement:");
            cluster.rest().placement(jobId).forEach((op, tms) -> System.out.println("  " + op + ": " + tms));
            return 0;
        }
    }

    @Command(name = "move", mixinStandardHelpOptions = true,
            description = "Publish a plan and move the submitted job onto its partitions and replica counts: its new TaskManagers "
                    + "started and registered, the job stopped with a savepoint, unused TaskManagers stopped, the job resumed from "
                    + "the savepoint with each task's new parallelism. Prints the pause and the placement before and after. A plan "
                    + "with the same partitions needs no move: it is published and applies live.")
    static final class Move implements java.util.concurrent.Callable<Integer> {

        @Option(names = "--plan", required = true, description = "The plan to move to (its version must be above the one running).")
        Path plan;

        @picocli.CommandLine.Mixin
        JobOptions job;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            LocalCluster cluster = running(spec);
            if (!Files.exists(jobRecord())) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "no job submitted with bin/jigsaw cluster submit ("
                        + jobRecord() + " is missing)");
            }
            JobRecord submitted = JSON.readValue(jobRecord().toFile(), JobRecord.class);
            Plan running = PlanFile.read(runningPlan());
            Plan next = PlanValidator.requireValid(PlanFile.read(plan), GraphLoader.load(Path.of(submitted.graph())), plan);
            if (next.version() <= running.version()) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), plan + " is plan v" + next.version()
                        + ", not newer than v" + running.version() + " which runs: the job never goes back to an older version");
            }
            publish(next, job.conf());
            if (io.jigsaw.planner.online.RepartitionRule.samePartitions(running, next)) {
                record(submitted, next);
                System.out.println("plan v" + next.version() + " keeps every partition of v" + running.version()
                        + ": published, it applies live (no move)");
                return 0;
            }
            PartitionManager manager = PartitionManager.ofRunning(cluster, submitted.submission(), submitted.ioSlots(), job.timeout(),
                    JobOptions::say, submitted.jobId(), running);
            PartitionManager.Move m = manager.move(next, "bin/jigsaw cluster move --plan " + plan);
            record(new JobRecord(submitted.submission(), submitted.ioSlots(), m.jobId(), submitted.graph()), next);
            System.out.printf("job %s now serving plan v%d (was %s on v%d)%n", m.jobId(), next.version(), submitted.jobId(),
                    running.version());
            System.out.printf("pause %d ms (savepoint %d ms); TaskManagers started beforehand %s in %d ms; stopped %s%n", m.pauseMs(),
                    m.savepointMs(), m.started(), m.prepareMs(), m.stopped());
            System.out.println("savepoint: " + m.savepoint());
            System.out.println("placement before -> after:");
            m.placementAfter().forEach((op, tms) -> System.out.println("  " + op + ": " + m.placementBefore().get(op) + " -> " + tms));
            return 0;
        }
    }

    @Command(name = "manifests", mixinStandardHelpOptions = true,
            description = "Write a plan's TaskManagers as Kubernetes Deployments (one per partition, plus the CPU TaskManager) for "
                    + "a standalone Flink session cluster on Kubernetes: docker/kubernetes/ has the JobManager's and says how to "
                    + "use them. Not run here (no Kubernetes); the files are checked offline.")
    static final class Manifests implements java.util.concurrent.Callable<Integer> {

        @Option(names = "--plan", required = true, description = "The plan whose partitions become TaskManagers.")
        Path plan;

        @Option(names = "--graph", description = "Check the plan against this graph first.")
        Path graph;

        @picocli.CommandLine.Mixin
        ReplicaSlotsOption replicaSlots;

        @Option(names = "--image", defaultValue = "flink:2.2.1-java17", description = "The TaskManagers' image (default: ${DEFAULT-VALUE}).")
        String image;

        @Option(names = "--out", description = "Write here instead of standard output.")
        Path out;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Plan p = PlanFile.read(plan);
            if (graph != null) {
                p = PlanValidator.requireValid(p, GraphLoader.load(graph), plan);
            }
            String yaml = io.jigsaw.job.cluster.KubernetesManifests.taskManagers(p, replicaSlots.count, image);
            if (out == null) {
                spec.commandLine().getOut().print(yaml);
                spec.commandLine().getOut().flush();
            } else {
                Files.writeString(out, yaml);
                spec.commandLine().getErr().println("wrote " + ClusterLayout.perPartition(p, replicaSlots.count).ids().size()
                        + " TaskManager Deployments to " + out);
            }
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
            Files.deleteIfExists(jobRecord());
            Files.deleteIfExists(runningPlan());
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
