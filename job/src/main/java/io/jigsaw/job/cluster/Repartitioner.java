package io.jigsaw.job.cluster;

import io.jigsaw.core.plan.Plan;
import io.jigsaw.planner.online.RepartitionRule;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Enacts the plans the sidecar publishes on a cluster whose TaskManagers are partitions: each plan in
 * force is weighed by the {@link RepartitionRule} against the partitions running, with the pause the
 * last move measured, and moved to by the {@link PartitionManager} when the rule says so. Moves run on
 * a thread of their own, so the sidecar keeps reading telemetry meanwhile; plans published during a move
 * are not queued, the newest is weighed when it ends.
 */
public final class Repartitioner implements AutoCloseable {

    /** A plan weighed and not moved to, and why. */
    public record Declined(long version, long atMs, String why) {
    }

    private final PartitionManager manager;
    private final RepartitionRule rule;
    private final Consumer<String> events;
    private final List<Declined> declined = new CopyOnWriteArrayList<>();
    private final Thread worker;
    private volatile double pauseEstimateMs;
    private Plan latest;
    private boolean busy;
    private boolean closed;
    private volatile Throwable failure;

    public Repartitioner(PartitionManager manager, RepartitionRule rule, Duration pauseEstimate, Consumer<String> events) {
        this.manager = manager;
        this.rule = rule;
        this.events = events;
        this.pauseEstimateMs = pauseEstimate.toMillis();
        this.worker = new Thread(this::work, "repartitioner");
        worker.setDaemon(true);
        worker.start();
    }

    /** A plan now in force (the sidecar published it). */
    public synchronized void published(Plan plan) {
        if (latest == null || plan.version() > latest.version()) {
            latest = plan;
            notifyAll();
        }
    }

    public List<PartitionManager.Move> moves() {
        return manager.moves();
    }

    public List<Declined> declined() {
        return List.copyOf(declined);
    }

    /** Why the repartitioner stopped, if it did (a move that failed). */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Whether a plan is being weighed or a move is under way. */
    public synchronized boolean moving() {
        return busy || latest != null;
    }

    /** Waits, at most {@code timeout}, until no move is under way and the newest plan has been weighed. */
    public synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
        long until = System.currentTimeMillis() + timeout.toMillis();
        while ((latest != null || busy) && failure == null && System.currentTimeMillis() < until) {
            wait(Math.max(1, until - System.currentTimeMillis()));
        }
        return latest == null && !busy;
    }

    private void work() {
        while (true) {
            Plan next;
            synchronized (this) {
                while (latest == null && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                next = latest;
                latest = null;
                busy = true;
            }
            try {
                Optional<RepartitionRule.Decision> d = rule.decide(manager.running(), next, pauseEstimateMs);
                if (d.isPresent() && d.get().move()) {
                    PartitionManager.Move m = manager.move(next, d.get().why());
                    pauseEstimateMs = m.pauseMs();
                } else if (d.isPresent()) {
                    declined.add(new Declined(next.version(), System.currentTimeMillis(), d.get().why()));
                    events.accept(d.get().why());
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception | Error e) {
                failure = e;
                events.accept("could not move the job to plan v" + next.version() + "'s partitions: " + e);
            } finally {
                synchronized (this) {
                    busy = false;
                    notifyAll();
                }
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        worker.interrupt();
    }
}
