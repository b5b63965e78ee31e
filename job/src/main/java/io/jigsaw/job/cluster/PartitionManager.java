package io.jigsaw.job.cluster;

import io.jigsaw.core.plan.Plan;
import io.jigsaw.job.JigsawOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Keeps one TaskManager per partition of the plan that runs ({@link ClusterLayout#perPartition}) and moves
 * the job when a plan's partitions or replica counts differ: it starts the new partitions' TaskManagers
 * and waits until they have registered, stops the job with a savepoint, stops the TaskManagers no longer
 * used (so the scheduler cannot place a task on an old partition), and resubmits the job from the
 * savepoint with each task's parallelism its new replica count. Nothing is lost or duplicated across a
 * move: the savepoint holds the source offsets and every operator's state, and the exactly-once sinks
 * commit with it. Requests wait in Kafka during the pause; those whose deadline passes are dropped and
 * answered as dropped when the job resumes.
 *
 * <p>Why stop-with-savepoint and not the adaptive scheduler's per-vertex resource requirements
 * ({@code PUT /jobs/:id/resource-requirements}): that rescales a vertex within the slots the cluster
 * offers, but every operator of a task asks for its task's external resource, which a partition's
 * TaskManager declares at start; a changed share is a new TaskManager either way, and the adaptive
 * scheduler restarts the job from its last checkpoint to rescale (replaying what came after it), where
 * the savepoint is taken at the moment of the move. docs/operations.md says what a move costs, measured.
 */
public final class PartitionManager {

    /** What the job is submitted with: its jar, entry class and arguments (without {@code jigsaw.task-replicas}). */
    public record Submission(Path jar, String entryClass, List<String> args) {

        public Submission {
            args = List.copyOf(args);
        }
    }

    /**
     * One move of the job onto another plan's partitions.
     *
     * @param startedMs wall clock when the job was stopped (the pause begins)
     * @param pauseMs from the stop to every subtask of the resumed job running
     * @param savepointMs of the pause, taking the savepoint
     * @param prepareMs before the pause: starting the new TaskManagers until they registered
     */
    public record Move(long fromVersion, long toVersion, String why, List<String> started, List<String> stopped,
            Map<String, List<String>> placementBefore, Map<String, List<String>> placementAfter, long startedMs, long pauseMs,
            long savepointMs, long prepareMs, String savepoint, String jobId) {
    }

    private final TaskManagerLauncher launcher;
    private final Submission submission;
    private final int ioSlots;
    private final Duration timeout;
    private final Consumer<String> progress;
    private final List<Move> moves = new CopyOnWriteArrayList<>();
    private String jarId;
    private volatile String jobId;
    private volatile Plan running;

    /**
     * @param ioSlots slots of the CPU TaskManager (the Kafka, decode, join and assembly operators' parallelism)
     * @param timeout the longest any one wait may take (TaskManagers registering, the savepoint, the job running)
     */
    public PartitionManager(TaskManagerLauncher launcher, Submission submission, int ioSlots, Duration timeout,
            Consumer<String> progress) {
        this.launcher = launcher;
        this.submission = submission;
        this.ioSlots = ioSlots;
        this.timeout = timeout;
        this.progress = progress;
    }

    /**
     * A manager for a job submitted earlier (by another process: {@code bin/jigsaw cluster submit}) that runs on
     * {@code running}'s partitions; the next move uploads the jar again.
     */
    public static PartitionManager ofRunning(TaskManagerLauncher launcher, Submission submission, int ioSlots, Duration timeout,
            Consumer<String> progress, String jobId, Plan running) {
        PartitionManager m = new PartitionManager(launcher, submission, ioSlots, timeout, progress);
        m.jobId = jobId;
        m.running = running;
        return m;
    }

    /** Lays out the plan's partitions (starting what is missing, stopping what is not used) and submits the job: its id. */
    public synchronized String submit(Plan plan) throws IOException, InterruptedException {
        if (jobId != null) {
            throw new IllegalStateException("the job is already submitted (" + jobId + "); move it instead");
        }
        ClusterLayout target = ClusterLayout.perPartition(plan, ioSlots);
        List<String> started = startMissing(target);
        stopUnused(target);
        FlinkRest rest = launcher.rest();
        jarId = rest.uploadJar(submission.jar());
        String id = rest.runJar(jarId, submission.entryClass(), args(plan));
        rest.awaitRunning(id, timeout);
        jobId = id;
        running = plan;
        progress.accept("submitted job " + id + " on the partitions of plan v" + plan.version() + " (" + target.ids().size()
                + " TaskManagers, " + started.size() + " started)");
        return id;
    }

    /** Moves the job onto {@code next}'s partitions; {@code why} is reported with it. */
    public synchronized Move move(Plan next, String why) throws IOException, InterruptedException {
        if (jobId == null) {
            throw new IllegalStateException("no job submitted yet");
        }
        FlinkRest rest = launcher.rest();
        if (jarId == null) {
            jarId = rest.uploadJar(submission.jar());
        }
        Map<String, List<String>> before = rest.placement(jobId);
        ClusterLayout target = ClusterLayout.perPartition(next, ioSlots);
        long t0 = System.nanoTime();
        List<String> started = startMissing(target);
        long pauseStart = System.nanoTime();
        long startedMs = System.currentTimeMillis();
        String savepoint = rest.stopWithSavepoint(jobId, launcher.savepoints(), timeout);
        long savepointDone = System.nanoTime();
        List<String> stopped = stopUnused(target);
        String id = rest.runJarFromSavepoint(jarId, submission.entryClass(), args(next), savepoint);
        rest.awaitRunning(id, timeout);
        long end = System.nanoTime();
        Map<String, List<String>> after = rest.placement(id);
        Move m = new Move(running.version(), next.version(), why, started, stopped, before, after, startedMs,
                (end - pauseStart) / 1_000_000, (savepointDone - pauseStart) / 1_000_000, (pauseStart - t0) / 1_000_000, savepoint, id);
        moves.add(m);
        jobId = id;
        running = next;
        progress.accept(String.format(java.util.Locale.ROOT, "moved the job to plan v%d's partitions in a %.1f s pause (savepoint "
                        + "%.1f s; %d TaskManager(s) started beforehand in %.1f s, %d stopped): %s", next.version(), m.pauseMs() / 1000.0,
                m.savepointMs() / 1000.0, started.size(), m.prepareMs() / 1000.0, stopped.size(), why));
        return m;
    }

    public String jobId() {
        return jobId;
    }

    /** The plan whose partitions run (null before {@link #submit}). */
    public Plan running() {
        return running;
    }

    public List<Move> moves() {
        return List.copyOf(moves);
    }

    /** The job's arguments with each task's parallelism the plan's replica count. */
    private List<String> args(Plan plan) {
        List<String> out = new ArrayList<>(submission.args());
        out.add("-D" + JigsawOptions.TASK_REPLICAS.key() + "=" + ClusterLayout.taskReplicasValue(plan));
        out.add("-D" + JigsawOptions.REPLICA_SLOTS.key() + "=" + ioSlots);
        return out;
    }

    private List<String> startMissing(ClusterLayout target) throws IOException, InterruptedException {
        Set<String> have = launcher.running().stream().map(ClusterLayout.TaskManager::id).collect(Collectors.toSet());
        List<String> started = new ArrayList<>();
        for (ClusterLayout.TaskManager tm : target.taskManagers()) {
            if (!have.contains(tm.id())) {
                launcher.start(tm);
                started.add(tm.id());
            }
        }
        awaitRegistered(target.ids(), true);
        return started;
    }

    /** Stops the TaskManagers {@code target} has no place for and waits until the JobManager has let them go. */
    private List<String> stopUnused(ClusterLayout target) throws IOException, InterruptedException {
        List<String> stopped = new ArrayList<>();
        for (ClusterLayout.TaskManager tm : launcher.running()) {
            if (!target.ids().contains(tm.id())) {
                launcher.stop(tm.id(), Duration.ofSeconds(20));
                stopped.add(tm.id());
            }
        }
        awaitRegistered(stopped, false);
        return stopped;
    }

    /** Waits until every id is registered ({@code present}) or none is. */
    private void awaitRegistered(List<String> ids, boolean present) throws IOException, InterruptedException {
        FlinkRest rest = launcher.rest();
        long until = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> registered = rest.up() ? rest.taskManagers() : List.of();
            boolean done = present ? registered.containsAll(ids) : ids.stream().noneMatch(registered::contains);
            if (done) {
                return;
            }
            if (System.nanoTime() > until) {
                throw new IllegalStateException("TaskManagers " + ids + " were " + (present ? "not registered" : "still registered")
                        + " with the JobManager after " + timeout.toSeconds() + " s (registered: " + registered + ")");
            }
            Thread.sleep(200);
        }
    }
}
