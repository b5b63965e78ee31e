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
    private final List<String> warnings;

    public Profile(String device, Collection<ProfileRow> all, List<String> warnings) {
        this.device = device;
        this.warnings = List.copyOf(warnings);
        for (ProfileRow r : all) {
            // A measured row always wins over a derived one for the same key (DESIGN.md).
            rows.merge(PartitionModel.key(r.variant(), r.share(), r.batch()), r, (a, b) -> a.derived() ? b : a);
            batches.computeIfAbsent(r.variant(), v -> new TreeSet<>()).add(r.batch());
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
        return Optional.ofNullable(rows.get(PartitionModel.key(variant, share, batch)));
    }

    public boolean has(String variant) {
        return batches.containsKey(variant);
    }

    /** The batch sizes profiled for a variant, ascending. */
    public Set<Integer> batches(String variant) {
        return batches.getOrDefault(variant, new TreeSet<>());
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
