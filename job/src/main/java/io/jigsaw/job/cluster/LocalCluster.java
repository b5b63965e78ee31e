package io.jigsaw.job.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jigsaw.job.LoopbackPorts;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Flink session cluster as separate processes on 127.0.0.1: one JobManager and the TaskManagers of
 * a {@link ClusterLayout}, started from Flink's own entry points in {@code flink-runtime} (there is no
 * {@code flink-dist} on Maven Central) with the configuration in {@code flink-conf/}. What Flink's
 * start scripts would compute — the JVM memory flags and the memory options that go with them — is
 * computed here by the same Flink utilities. The cluster outlives the command that started it; its
 * processes are recorded in {@code cluster.json} of the work directory, which {@link #attach} reads.
 */
public final class LocalCluster implements TaskManagerLauncher, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String JOB_MANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    /**
     * @param confDir holds config.yaml (and log4j.properties): normally flink-conf/
     * @param workDir logs, checkpoints, uploads and cluster.json
     * @param restPort the REST API and dashboard on 127.0.0.1
     * @param classpath the cluster's own classpath: Flink (and DJL), not the job
     * @param taskManagerMemory each TaskManager's process size, e.g. "1024m" (the model's native memory is extra)
     */
    public record Settings(Path confDir, Path workDir, int restPort, List<String> classpath, String taskManagerMemory, RestTls restTls) {

        /** For a checkout at {@code home}: its flink-conf/ and the classpath its build wrote (BuildOutputs); REST over plain HTTP. */
        public static Settings ofCheckout(Path home, Path workDir, int restPort, String taskManagerMemory) throws IOException {
            return new Settings(home.resolve("flink-conf"), workDir, restPort, BuildOutputs.clusterClasspath(home), taskManagerMemory,
                    null);
        }

        public Settings withConfDir(Path dir) {
            return new Settings(dir, workDir, restPort, classpath, taskManagerMemory, restTls);
        }

        /** REST API and dashboard over HTTPS, every client asked for this key's certificate ({@link RestTls}). */
        public Settings withRestTls(RestTls tls) {
            return new Settings(confDir, workDir, restPort, classpath, taskManagerMemory, tls);
        }
    }

    /** One process of the cluster, as recorded in cluster.json. */
    public record Member(String name, long pid, String log, ClusterLayout.TaskManager taskManager) {
    }

    /**
     * What cluster.json holds; {@code restTlsDir}: the REST key material when the API is served over mutual TLS, else
     * null; {@code launch}: what a TaskManager started later needs (null in a cluster.json written before it existed).
     */
    public record State(String restUrl, long startedMs, List<Member> members, String restTlsDir, Launch launch) {

        public State {
            members = List.copyOf(members);
        }
    }

    /** How this cluster starts a TaskManager: its configuration directory, classpath, work directory and common options. */
    public record Launch(String confDir, List<String> classpath, String workDir, Map<String, String> options) {
    }

    private State state;

    private LocalCluster(State state) {
        this.state = state;
    }

    public synchronized State state() {
        return state;
    }

    /** Its REST API, with this cluster's client certificate where it asks for one. */
    public FlinkRest rest() throws IOException {
        if (state.restTlsDir() == null) {
            return new FlinkRest(state.restUrl());
        }
        RestTls tls = RestTls.existing(Path.of(state.restTlsDir())).orElseThrow(() -> new IOException(
                "the cluster serves its REST API over TLS but its key material is gone from " + state.restTlsDir()));
        return new FlinkRest(state.restUrl(), tls.clientContext());
    }

    /** Starts the processes and waits until every TaskManager has registered. */
    public static LocalCluster start(ClusterLayout layout, Settings s, Duration timeout, PrintStream progress)
            throws IOException, InterruptedException {
        Path state = s.workDir().resolve("cluster.json");
        if (Files.exists(state)) {
            Optional<LocalCluster> running = attach(s.workDir());
            if (running.isPresent() && running.get().alive()) {
                throw new IllegalStateException("a local cluster is already running from " + s.workDir() + " ("
                        + running.get().state.restUrl() + "); stop it first: bin/jigsaw cluster stop");
            }
        }
        for (String dir : List.of("logs", "checkpoints", "uploads", "tmp")) {
            Files.createDirectories(s.workDir().resolve(dir));
        }
        Path log4j = s.confDir().resolve("log4j.properties");
        if (!Files.isRegularFile(s.confDir().resolve("config.yaml")) || !Files.isRegularFile(log4j)) {
            throw new IllegalArgumentException(s.confDir() + " must hold config.yaml and log4j.properties (see flink-conf/)");
        }
        if (s.restTls() != null) {
            // The TLS options hold a password: in a configuration only its owner reads, not on the processes' command lines.
            s = s.withConfDir(withOptions(s.confDir(), s.workDir().resolve("conf"), s.restTls().flinkOptions()));
        }
        Map<String, String> common = new LinkedHashMap<>();
        common.put("jobmanager.rpc.address", "127.0.0.1");
        common.put("jobmanager.rpc.port", String.valueOf(LoopbackPorts.free()));
        common.put("jobmanager.bind-host", "127.0.0.1");
        common.put("taskmanager.host", "127.0.0.1");
        common.put("taskmanager.bind-host", "127.0.0.1");
        common.put("rest.address", "127.0.0.1");
        common.put("rest.bind-address", "127.0.0.1");
        common.put("rest.port", String.valueOf(s.restPort()));
        common.put("execution.checkpointing.dir", s.workDir().resolve("checkpoints").toUri().toString());
        common.put("web.upload.dir", s.workDir().resolve("uploads").toString());
        common.put("io.tmp.dirs", s.workDir().resolve("tmp").toString());
        common.put("process.working-dir", s.workDir().resolve("tmp").toString());
        // This machine's TaskManagers are small; the GPU external resource of config.yaml is for GPU machines
        // (without one, its driver is not there): each TaskManager declares its partition's resource only.
        common.put("taskmanager.memory.process.size", s.taskManagerMemory());
        common.put("taskmanager.memory.managed.size", "0m");
        common.put("jobmanager.memory.process.size", "1024m");

        String restUrl = (s.restTls() == null ? "http" : "https") + "://127.0.0.1:" + s.restPort();
        Launch how = new Launch(s.confDir().toString(), s.classpath(), s.workDir().toString(), common);
        LocalCluster cluster = new LocalCluster(new State(restUrl, System.currentTimeMillis(), List.of(),
                s.restTls() == null ? null : s.restTls().dir().toString(), how));
        try {
            Configuration jmConf = load(s.confDir(), common);
            JobManagerProcessSpec jm = JobManagerProcessUtils.processSpecFromConfig(jmConf);
            cluster.add(launch("jobmanager", JOB_MANAGER_MAIN, JobManagerProcessUtils.generateJvmParametersStr(jm, jmConf)
                            + jvmOptions(jmConf, CoreOptions.FLINK_DEFAULT_JM_JVM_OPTIONS, CoreOptions.FLINK_JM_JVM_OPTIONS),
                    JobManagerProcessUtils.generateDynamicConfigsStr(jm), common, Map.of(), how, null));
            for (ClusterLayout.TaskManager tm : layout.taskManagers()) {
                cluster.start(tm);
            }
            progress.printf("[cluster] started a JobManager and %d TaskManager(s); waiting for them to register at %s%n",
                    layout.taskManagers().size(), restUrl);
            cluster.awaitTaskManagers(layout.ids(), timeout);
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** Starts the TaskManager's process (recorded in cluster.json); {@link #awaitTaskManagers} waits for it to register. */
    @Override
    public void start(ClusterLayout.TaskManager tm) throws IOException {
        Launch how = state().launch();
        if (how == null) {
            throw new IllegalStateException("this cluster was started by an older jigsaw: its cluster.json says not how to start "
                    + "a TaskManager; restart it (bin/jigsaw cluster stop, then start)");
        }
        if (running().stream().anyMatch(t -> t.id().equals(tm.id()))) {
            throw new IllegalArgumentException("TaskManager " + tm.id() + " is already running");
        }
        Map<String, String> own = new LinkedHashMap<>(how.options());
        own.putAll(tm.flinkOptions());
        Configuration tmConf = load(Path.of(how.confDir()), own);
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(tmConf);
        Map<String, String> env = new LinkedHashMap<>();
        if (tm.gpu() != null) {
            env.put("CUDA_VISIBLE_DEVICES", String.valueOf(tm.gpu()));
            if (tm.migSlice() != null) {
                // On a MIG host CUDA_VISIBLE_DEVICES must name the slice's MIG device (its UUID from `nvidia-smi -L`),
                // which only that host knows: JIGSAW_MIG_SLICE says which one (docs/operations.md).
                env.put("JIGSAW_MIG_SLICE", tm.migSlice());
            }
            env.put("CUDA_MPS_ACTIVE_THREAD_PERCENTAGE", String.valueOf(tm.mpsPercentage()));
        }
        add(launch("taskmanager-" + tm.id(), TASK_MANAGER_MAIN, ProcessMemoryUtils.generateJvmParametersStr(spec)
                        + jvmOptions(tmConf, CoreOptions.FLINK_DEFAULT_TM_JVM_OPTIONS, CoreOptions.FLINK_TM_JVM_OPTIONS),
                TaskExecutorProcessUtils.generateDynamicConfigsStr(spec), own, env, how, tm));
    }

    /**
     * Stops a TaskManager's process (SIGTERM: it leaves the ResourceManager as it shuts down; forcibly after
     * {@code timeout}) and forgets it.
     */
    @Override
    public void stop(String id, Duration timeout) throws IOException, InterruptedException {
        Member m = state().members().stream().filter(x -> x.taskManager() != null && x.taskManager().id().equals(id))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no TaskManager " + id + " in this cluster"));
        ProcessHandle.of(m.pid()).ifPresent(p -> {
            p.destroy();
            try {
                p.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        });
        synchronized (this) {
            List<Member> left = new ArrayList<>(state.members());
            left.remove(m);
            state = new State(state.restUrl(), state.startedMs(), left, state.restTlsDir(), state.launch());
            save();
        }
    }

    @Override
    public List<ClusterLayout.TaskManager> running() {
        return state().members().stream().filter(m -> m.taskManager() != null && alive(m)).map(Member::taskManager).toList();
    }

    @Override
    public Path savepoints() {
        Launch how = state().launch();
        return Path.of(how == null ? "." : how.workDir()).resolve("savepoints");
    }

    private synchronized void add(Member m) throws IOException {
        List<Member> all = new ArrayList<>(state.members());
        all.add(m);
        state = new State(state.restUrl(), state.startedMs(), all, state.restTlsDir(), state.launch());
        save();
    }

    private void save() throws IOException {
        Launch how = state.launch();
        if (how != null) {
            JSON.writeValue(Path.of(how.workDir()).resolve("cluster.json").toFile(), state);
        }
    }

    /**
     * A copy of {@code confDir} in {@code into} (its owner alone may read it) whose config.yaml ends with
     * {@code options}, flat keys as Flink's YAML reads them.
     */
    static Path withOptions(Path confDir, Path into, Map<String, String> options) throws IOException {
        Files.createDirectories(into);
        try {
            Files.setPosixFilePermissions(into, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException notPosix) {
            // No POSIX permissions here: the work directory's own protection applies.
        }
        Files.copy(confDir.resolve("log4j.properties"), into.resolve("log4j.properties"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        StringBuilder yaml = new StringBuilder(Files.readString(confDir.resolve("config.yaml")));
        yaml.append("\n# Added by bin/jigsaw cluster start\n");
        options.forEach((k, v) -> yaml.append(k).append(": \"").append(v.replace("\\", "\\\\").replace("\"", "\\\""))
                .append("\"\n"));
        Files.writeString(into.resolve("config.yaml"), yaml.toString());
        return into;
    }

    /** The cluster recorded in a work directory, if any (its processes may have ended). */
    public static Optional<LocalCluster> attach(Path workDir) throws IOException {
        Path state = workDir.resolve("cluster.json");
        if (!Files.exists(state)) {
            return Optional.empty();
        }
        return Optional.of(new LocalCluster(JSON.readValue(state.toFile(), State.class)));
    }

    /** Whether every recorded process is still running. */
    public boolean alive() {
        return state.members().stream().allMatch(this::alive);
    }

    public boolean alive(Member m) {
        return ProcessHandle.of(m.pid()).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Waits until every TaskManager in {@code ids} has registered with the JobManager; fails at once when a process exits. */
    public void awaitTaskManagers(List<String> ids, Duration timeout) throws IOException, InterruptedException {
        FlinkRest rest = rest();
        long until = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < until) {
            for (Member m : state().members()) {
                if (!alive(m)) {
                    Path out = Path.of(m.log().replaceFirst("\\.log$", ".out"));
                    throw new IllegalStateException(m.name() + " exited while the cluster started; its log: " + m.log()
                            + "\n" + tail(Files.exists(Path.of(m.log())) ? Path.of(m.log()) : out, 15));
                }
            }
            if (rest.up() && rest.taskManagers().containsAll(ids)) {
                return;
            }
            Thread.sleep(250);
        }
        List<String> missing = new ArrayList<>(ids);
        if (rest.up()) {
            missing.removeAll(rest.taskManagers());
        }
        throw new IllegalStateException(missing.size() + " of " + ids.size() + " TaskManagers did not register within "
                + timeout.toSeconds() + " s: " + missing + "; logs in " + Path.of(state().members().get(0).log()).getParent());
    }

    /** Stops every process: TaskManagers first, then the JobManager; forcibly after 20 s. */
    @Override
    public void close() {
        List<Member> order = new ArrayList<>(state.members());
        java.util.Collections.reverse(order);
        List<ProcessHandle> stopping = new ArrayList<>();
        for (Member m : order) {
            ProcessHandle.of(m.pid()).ifPresent(p -> {
                p.destroy();
                stopping.add(p);
            });
        }
        for (ProcessHandle p : stopping) {
            try {
                p.onExit().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
    }

    private static Member launch(String name, String mainClass, String jvmMemory, String memoryOptions,
            Map<String, String> options, Map<String, String> env, Launch how, ClusterLayout.TaskManager tm) throws IOException {
        Path workDir = Path.of(how.workDir());
        Path confDir = Path.of(how.confDir());
        Path log = workDir.resolve("logs").resolve(name + ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmMemory.trim().split("\\s+")));
        cmd.add("-Dlog.file=" + log);
        cmd.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        cmd.add("-Doffline=true");
        cmd.add("-cp");
        cmd.add(String.join(java.io.File.pathSeparator, how.classpath()));
        cmd.add(mainClass);
        cmd.add("--configDir");
        cmd.add(confDir.toString());
        cmd.addAll(dynamicProperties(memoryOptions));
        options.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(workDir.resolve("logs").resolve(name + ".out").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        return new Member(name, p.pid(), log.toString(), tm);
    }

    /** Flink's "-D key=value -D key=value" string as single "-Dkey=value" arguments. */
    static List<String> dynamicProperties(String flags) {
        List<String> out = new ArrayList<>();
        String[] tokens = flags.trim().split("\\s+");
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i].equals("-D") && i + 1 < tokens.length) {
                out.add("-D" + tokens[++i]);
            } else if (tokens[i].startsWith("-D")) {
                out.add(tokens[i]);
            }
        }
        return out;
    }

    /** The JVM options Flink's start scripts add: env.java.default-opts.*, env.java.opts.* (all, then the role's). */
    private static String jvmOptions(Configuration conf, ConfigOption<String> roleDefault, ConfigOption<String> role) {
        StringBuilder out = new StringBuilder();
        for (ConfigOption<String> o : List.of(CoreOptions.FLINK_DEFAULT_JVM_OPTIONS, roleDefault, CoreOptions.FLINK_JVM_OPTIONS, role)) {
            conf.getOptional(o).ifPresent(v -> out.append(' ').append(v.trim()));
        }
        return out.toString();
    }

    private static Configuration load(Path confDir, Map<String, String> options) {
        return GlobalConfiguration.loadConfiguration(confDir.toString(), Configuration.fromMap(options));
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }
}
