package io.jigsaw.operators;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.core.plan.PlanValidator;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Reads the {@code plans} topic and lets through only plans an operator can apply: decodable, for
 * this graph, and valid ({@link PlanValidator}). Anything else goes to dead letters with the reason,
 * and the operators keep the plan they have. Checking once here, before the broadcast, means every
 * operator sees the same accepted plans.
 */
public class PlanDecoder extends ProcessFunction<byte[], Plan> {

    private static final Logger LOG = LoggerFactory.getLogger(PlanDecoder.class);

    private final Graph graph;
    private final String topic;

    public PlanDecoder(Graph graph, String topic) {
        this.graph = graph;
        this.topic = topic;
    }

    @Override
    public void processElement(byte[] bytes, Context ctx, Collector<Plan> out) {
        long now = ctx.timerService().currentProcessingTime();
        Plan plan;
        try {
            plan = PlanAvro.fromAvro(AvroBytes.decode(bytes, io.jigsaw.schemas.Plan.class));
        } catch (Exception e) {
            reject(ctx, now, bytes, "", "not an Avro Plan record: " + e);
            return;
        }
        List<String> problems = PlanValidator.problems(plan, graph);
        if (!problems.isEmpty()) {
            reject(ctx, now, bytes, "plan " + plan.version() + " by " + plan.createdBy() + ": ", String.join("; ", problems));
            return;
        }
        LOG.info("accepted plan {} for graph {} from {}: {}", plan.version(), plan.graph(), plan.createdBy(), plan.note());
        out.collect(plan);
    }

    private void reject(Context ctx, long now, byte[] bytes, String which, String reason) {
        LOG.warn("rejected {}{}", which, reason);
        ctx.output(Tags.DEAD_LETTERS, DeadLetters.of(topic, "validate-plan", which + reason, "", now, bytes));
    }
}
