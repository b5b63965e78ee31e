package io.jigsaw.planner.profile;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The rows the planner uses for one device: latency per (variant, share, batch); immutable. */
public final class Profile {

    private final String device;
    private final Map<String, ProfileRow> rows = new HashMap<>();
    private final Map<String, TreeSet<Integer>> batches = new HashMap<>();
    private final Map<String, Set<Integer>> processCounts = new HashMap<>();
    private static final Set<Integer> ONE_PROCESS = java.util.Collections.unmodifiableSet(new TreeSet<>(Set.of(1)));
    private final List<String> warnings;
    private final PartitionModel.Rule rule;

    public Profile(String device, Collection<ProfileRow> all, List<String> warnings) {
        this(device, all, warnings, PartitionModel.Rule.UTILISATION);
    }

    /** @param rule how its derived rows were derived (reports name it) */
    public Profile(String device, Collection<ProfileRow> all, List<String> warnings, PartitionModel.Rule rule) {
        this.device = device;
        this.rule = rule;
        this.warnings = List.copyOf(warnings);
        for (ProfileRow r : all) {
            // A measured row always wins over a derived one for the same key (DESIGN.md).
            rows.merge(PartitionModel.key(r.variant(), r.share(), r.batch(), r.processes()), r, (a, b) -> a.derived() ? b : a);
            batches.computeIfAbsent(r.variant(), v -> new TreeSet<>()).add(r.batch());
            processCounts.computeIfAbsent(r.variant(), v -> new TreeSet<>(Set.of(1))).add(r.processes());
        }
    }

    /** Threads of a CPU device named as `bin/jigsaw profile` names one ({@code cpu-2t}: 2); empty for any other. */
    public java.util.OptionalInt cpuThreads() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("cpu-(\\d+)t").matcher(device());
        return m.matches() ? java.util.OptionalInt.of(Integer.parseInt(m.group(1))) : java.util.OptionalInt.empty();
    }

    public String device() {
        return device;
    }

    public Optional<ProfileRow> row(String variant, double share, int batch) {
        return row(variant, share, batch, 1);
    }

    /** The row of one of {@code processes} processes sharing a slice, each on {@code share} percent of the GPU. */
    public Optional<ProfileRow> row(String variant, double share, int batch, int processes) {
        return Optional.ofNullable(rows.get(PartitionModel.key(variant, share, batch, processes)));
    }

    /** How many processes share a slice in some row of this variant, ascending: {1} unless measured with several (MPS in MIG). */
    public Set<Integer> processCounts(String variant) {
        return processCounts.getOrDefault(variant, ONE_PROCESS);
    }

    public boolean has(String variant) {
        return batches.containsKey(variant);
    }

    /** The batch sizes profiled for a variant, ascending. */
    public Set<Integer> batches(String variant) {
        return batches.getOrDefault(variant, new TreeSet<>());
    }

    public PartitionModel.Rule rule() {
        return rule;
    }

    /** Rows measured on a partition of the GPU rather than the whole (e.g. ParvaGPU's MIG slices). */
    public long measuredPartitionRows() {
        return rows.values().stream().filter(r -> !r.derived() && (r.share() < 100 || r.processes() > 1)).count();
    }

    /**
     * What the planner's rows rest on, for people: "1851 measured rows (1593 on partitions, 1139 with 2-5 processes
     * per slice; mean-only rows: p50 = mean, tail = 1.03 x mean), 0 derived (compute rule: ...)".
     */
    public String describe() {
        long measured = rows.values().stream().filter(r -> !r.derived()).count();
        long shared = rows.values().stream().filter(r -> !r.derived() && r.processes() > 1).count();
        int most = rows.values().stream().mapToInt(ProfileRow::processes).max().orElse(1);
        StringBuilder b = new StringBuilder();
        b.append(measured).append(" measured rows (").append(measuredPartitionRows()).append(" on partitions");
        if (shared > 0) {
            b.append(", ").append(shared).append(" with 2-").append(most).append(" processes sharing a slice");
        }
        if (device.equals(ParvaGpuCsv.DEVICE)) {
            b.append("; ParvaGPU's means: p50 = mean, tail = ").append(ParvaGpuCsv.TAIL_OVER_MEAN).append(" x mean");
        }
        b.append("), ").append(derivedRows()).append(" derived");
        if (derivedRows() > 0) {
            b.append(" (").append(rule.describe()).append(')');
        }
        return b.toString();
    }

    public long derivedRows() {
        return rows.values().stream().filter(ProfileRow::derived).count();
    }

    public Collection<ProfileRow> rows() {
        return rows.values();
    }

    /** Variants of the graph the profile has no row for, and similar notes for reports. */
    public List<String> warnings() {
        return warnings;
    }
}
