package io.jigsaw.core.serving;

/**
 * On a machine without GPU a partition's share is a thread budget: share % of the CPU threads that
 * stand for one GPU. One rule, used by the task operator when it runs a batch, by the profiler when
 * it measures one, and by the simulator when it times one, so a measured row is exactly what the
 * operator will see at that share.
 */
public final class CpuShares {

    private CpuShares() {
    }

    /** @return at least one thread */
    public static int threads(double sharePercent, int coresPerGpu) {
        return Math.max(1, (int) Math.round(sharePercent / 100.0 * coresPerGpu));
    }
}
