package io.jigsaw.core.plan;

import io.jigsaw.schemas.Plan.Builder;

import java.util.List;

/** Maps the domain {@link Plan} to and from the Avro record on the {@code plans} topic. */
public final class PlanAvro {

    private PlanAvro() {
    }

    public static io.jigsaw.schemas.Plan toAvro(Plan plan) {
        Builder b = io.jigsaw.schemas.Plan.newBuilder()
                .setGraph(plan.graph())
                .setVersion(plan.version())
                .setCreatedBy(plan.createdBy())
                .setNote(plan.note());
        b.setTasks(plan.tasks().stream().map(t -> io.jigsaw.schemas.TaskPlan.newBuilder()
                .setTask(t.task())
                .setVariant(t.variant())
                .setBatchSize(t.batchSize())
                .setBatchTimeoutMs(t.batchTimeoutMs())
                .setLatencyBudgetMs(t.latencyBudgetMs())
                .setPartitions(t.partitions().stream()
                        .map(p -> io.jigsaw.schemas.Partition.newBuilder().setGpu(p.gpu()).setShare(p.share()).setVariant(p.variant())
                                .setBatchSize(p.batchSize()).setWeight(p.weight()).setMigSlice(p.migSlice()).build())
                        .toList())
                .setLadder(t.adaptation().ladder().stream()
                        .map(r -> io.jigsaw.schemas.Rung.newBuilder().setVariant(r.variant()).setBatchMs(r.batchMs()).build()).toList())
                .setCascade(t.adaptation().cascadeIfAny().map(c -> io.jigsaw.schemas.Cascade.newBuilder().setEscalateTo(c.escalateTo())
                        .setThreshold(c.threshold()).setEscalateBatchMs(c.escalateBatchMs()).setExpectedRate(c.expectedRate()).build())
                        .orElse(null))
                .build()).toList());
        return b.build();
    }

    public static Plan fromAvro(io.jigsaw.schemas.Plan avro) {
        List<TaskPlan> tasks = avro.getTasks().stream().map(t -> new TaskPlan(t.getTask(), t.getVariant(), t.getBatchSize(),
                t.getBatchTimeoutMs(), t.getLatencyBudgetMs(),
                t.getPartitions().stream().map(p -> new Partition(p.getGpu(), p.getShare(),
                        p.getVariant() == null ? null : p.getVariant().toString(), p.getBatchSize(), p.getWeight(),
                        p.getMigSlice() == null ? null : p.getMigSlice().toString())).toList(),
                adaptation(t))).toList();
        return new Plan(avro.getGraph(), avro.getVersion(), avro.getCreatedBy(), avro.getNote(), tasks);
    }

    private static Adaptation adaptation(io.jigsaw.schemas.TaskPlan t) {
        List<Adaptation.Rung> ladder = t.getLadder() == null ? List.of()
                : t.getLadder().stream().map(r -> new Adaptation.Rung(r.getVariant(), r.getBatchMs())).toList();
        io.jigsaw.schemas.Cascade c = t.getCascade();
        return new Adaptation(ladder, c == null ? null
                : new Adaptation.Cascade(c.getEscalateTo(), c.getThreshold(), c.getEscalateBatchMs(), c.getExpectedRate()));
    }
}
