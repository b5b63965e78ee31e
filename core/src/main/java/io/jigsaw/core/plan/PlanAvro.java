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
                                .setBatchSize(p.batchSize()).setWeight(p.weight()).build())
                        .toList())
                .build()).toList());
        return b.build();
    }

    public static Plan fromAvro(io.jigsaw.schemas.Plan avro) {
        List<TaskPlan> tasks = avro.getTasks().stream().map(t -> new TaskPlan(t.getTask(), t.getVariant(), t.getBatchSize(),
                t.getBatchTimeoutMs(), t.getLatencyBudgetMs(),
                t.getPartitions().stream().map(p -> new Partition(p.getGpu(), p.getShare(),
                        p.getVariant() == null ? null : p.getVariant().toString(), p.getBatchSize(), p.getWeight())).toList())).toList();
        return new Plan(avro.getGraph(), avro.getVersion(), avro.getCreatedBy(), avro.getNote(), tasks);
    }
}
