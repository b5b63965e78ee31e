package io.jigsaw.planner.adapt;

import io.jigsaw.core.graph.ConfidenceCsv;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.core.plan.Adaptation;
import io.jigsaw.core.plan.AdaptationMode;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.TaskPlan;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.SolvedPlan;
import io.jigsaw.planner.model.TaskOption;
import io.jigsaw.planner.profile.ProfileRow;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Adds per-request adaptation to a solved plan, inside the partitions and batch sizes the planner
 * chose (the GPU share held does not change):
 * <ul>
 * <li><b>ladder</b>: every profiled variant of a task at the task's share and batch, most accurate
 * first, each with its batch time from the profile (the latency the policy plans with: p99 or p50) —
 * the replica picks per batch (SuperServe's slack-fit);</li>
 * <li><b>cascade</b>: for a labelled task with validation confidences ({@code confidence.csv}), the
 * pair (small, large) and threshold of least expected cost per piece (small's, plus the escalated
 * fraction of large's), below the plan's variant's, whose accuracy on the validation samples is the
 * task's share of the accuracy SLO: the plan's accuracy may fall to the SLO and no further. As a path's
 * accuracy is a product of its tasks', scaling one task's accuracy by {@code r} scales the graph's by
 * {@code r} at most, so a cascade may take the task to {@code its variant's accuracy × SLO / the plan's
 * accuracy}; tasks take that room one after another. The task then runs small first (CascadeServe). A
 * cascade that never escalates is the small variant alone, which the planner has weighed already: not
 * offered.</li>
 * </ul>
 * A task whose traffic the plan splits across variants (Loki's mechanism) keeps the split as it is.
 */
public final class PlanAdapter implements Serializable {

    public static final PlanAdapter NONE = new PlanAdapter(AdaptationMode.NONE, null);

    private final AdaptationMode mode;
    private final Confidence confidence;

    /** @param confidence the validation confidences (needed for a cascade; null: no task gets one) */
    public PlanAdapter(AdaptationMode mode, Confidence confidence) {
        this.mode = mode;
        this.confidence = confidence;
    }

    /** For a graph: its confidence.csv where a cascade is asked for (beside the models, else beside the graph). */
    public static PlanAdapter of(AdaptationMode mode, Graph graph) {
        if (!mode.cascade()) {
            return new PlanAdapter(mode, null);
        }
        Confidence c = ConfidenceCsv.locate(graph).map(f -> new Confidence(ConfidenceCsv.read(f))).orElseThrow(() ->
                new IllegalArgumentException("a cascade needs the classifiers' validation confidences (" + ConfidenceCsv.FILE
                        + " beside the models or the graph); `bin/jigsaw models --graph <graph>` writes it"));
        return new PlanAdapter(mode, c);
    }

    public AdaptationMode mode() {
        return mode;
    }

    /** What a cascade does at a threshold, from the validation samples; empty without them. */
    public Optional<Confidence.Outcome> outcome(String task, String small, String large, double threshold) {
        return confidence == null || !confidence.has(task, small) || !confidence.has(task, large) ? Optional.empty()
                : Optional.of(confidence.cascade(task, small, large, threshold));
    }

    /** @param plan {@code solved}'s plan ({@link SolvedPlan#toPlan}) */
    public Plan adapt(Plan plan, SolvedPlan solved) {
        if (mode == AdaptationMode.NONE) {
            return plan;
        }
        PlanningInstance instance = solved.instance();
        List<TaskPlan> tasks = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        // The accuracy room the cascades may use: from the plan's accuracy down to the SLO, shared task after task.
        double room = solved.evaluation().accuracy() > 0 ? solved.evaluation().accuracyFloor() / solved.evaluation().accuracy() : 1;
        for (TaskPlan tp : plan.tasks()) {
            Task task = instance.graph().task(tp.task()).orElseThrow();
            TaskOption option = solved.choice().get(instance.taskIndex(tp.task()));
            if (task.pseudo() || tp.split() || tp.partitions().isEmpty()) {
                tasks.add(tp);
                continue;
            }
            TaskPlan adapted = tp;
            if (mode.cascade()) {
                Optional<Choice> c = cascade(instance, task, tp.variant(), option, Math.min(1, room));
                if (c.isPresent()) {
                    Choice ch = c.get();
                    room /= ch.outcome().accuracy() / confidence.accuracy(task.name(), tp.variant());
                    adapted = new TaskPlan(tp.task(), ch.small(), tp.batchSize(), tp.batchTimeoutMs(), tp.latencyBudgetMs(), tp.partitions(),
                            adapted.adaptation().withCascade(new Adaptation.Cascade(ch.large(), ch.outcome().threshold(), ch.largeBatchMs(),
                                    ch.outcome().rate())));
                    notes.add(String.format(Locale.ROOT, "cascade on %s: %s, below %.3f to %s (validation: %.0f %% escalated, accuracy %.3f; %s %.3f, floor %.3f)",
                            task.name(), ch.small(), ch.outcome().threshold(), ch.large(), 100 * ch.outcome().rate(), ch.outcome().accuracy(),
                            tp.variant(), confidence.accuracy(task.name(), tp.variant()), ch.target()));
                }
            }
            if (mode.ladder()) {
                List<Adaptation.Rung> rungs = ladder(instance, task, option);
                if (rungs.size() > 1) {
                    adapted = adapted.withAdaptation(adapted.adaptation().withLadder(rungs));
                    notes.add("ladder on " + task.name());
                }
            }
            tasks.add(adapted);
        }
        String note = plan.note() + (notes.isEmpty() ? "" : "; " + String.join("; ", notes));
        return new Plan(plan.graph(), plan.version(), plan.createdBy(), note, tasks);
    }

    /** The task's profiled variants at the option's share and batch, most accurate first. */
    static List<Adaptation.Rung> ladder(PlanningInstance instance, Task task, TaskOption option) {
        List<Adaptation.Rung> rungs = new ArrayList<>();
        instance.profiled(task).stream().sorted(Comparator.comparingDouble(Variant::accuracy).reversed()).forEach(v ->
                instance.profile().row(v.name(), option.share(), option.batch()).ifPresent(r -> rungs.add(new Adaptation.Rung(v.name(),
                        batchMs(instance, r)))));
        return rungs;
    }

    private record Choice(String small, String large, Confidence.Outcome outcome, double largeBatchMs, double target) {
    }

    /** @param room the factor the task's accuracy may be scaled by (≤ 1) */
    private Optional<Choice> cascade(PlanningInstance instance, Task task, String planned, TaskOption option, double room) {
        if (confidence == null || task.labels().isEmpty() || !confidence.has(task.name(), planned)) {
            return Optional.empty();
        }
        double target = confidence.accuracy(task.name(), planned) * room;
        Optional<Double> plannedCost = perPieceMs(instance, planned, option);
        if (plannedCost.isEmpty()) {
            return Optional.empty();
        }
        Choice best = null;
        double bestCost = plannedCost.get();
        for (Variant small : instance.profiled(task)) {
            Optional<Double> smallCost = perPieceMs(instance, small.name(), option);
            if (smallCost.isEmpty() || smallCost.get() >= plannedCost.get() || !confidence.has(task.name(), small.name())) {
                continue;
            }
            for (Variant large : instance.profiled(task)) {
                Optional<Double> largeCost = perPieceMs(instance, large.name(), option);
                if (large.equals(small) || largeCost.isEmpty() || !confidence.has(task.name(), large.name())) {
                    continue;
                }
                for (double t : confidence.thresholds(task.name(), small.name())) {
                    Confidence.Outcome o = confidence.cascade(task.name(), small.name(), large.name(), t);
                    double cost = smallCost.get() + o.rate() * largeCost.get();
                    if (o.rate() > 0 && o.accuracy() >= target && cost < bestCost) {
                        bestCost = cost;
                        best = new Choice(small.name(), large.name(), o, largeCost.get() * option.batch(), target);
                    }
                }
            }
        }
        return Optional.ofNullable(best);
    }

    private static Optional<Double> perPieceMs(PlanningInstance instance, String variant, TaskOption option) {
        return instance.profile().row(variant, option.share(), option.batch()).map(r -> batchMs(instance, r) / option.batch());
    }

    private static double batchMs(PlanningInstance instance, ProfileRow r) {
        return instance.policy().tailLatency() ? r.p99Ms() : r.p50Ms();
    }
}
