package io.jigsaw.operators;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.core.plan.PlanValidator;
import io.jigsaw.schemas.AvroBytes;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Reads the {@code plans} topic and lets through only plans an operator can apply: decodable, for
 * this graph, and valid ({@link PlanValidator}). Anything else goes to dead letters with the reason,
 * and the operators keep the plan they have. Checking once here, before the broadcast, means every
 * operator sees the same accepted plans. Like {@link RequestDecoder}, no single record can stop it:
 * an oversized record is refused unread, and any failure decoding or checking one, an {@code Error}
 * included, is that record's dead letter.
 */
public class PlanDecoder extends ProcessFunction<SourceRecord, Plan> {

    /** The largest plan record read: plans are a few KB, so anything near this is not one. */
    public static final int MAX_RECORD_BYTES = 512 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(PlanDecoder.class);

    private final Graph graph;

    public PlanDecoder(Graph graph) {
        this.graph = graph;
    }

    @Override
    public void processElement(SourceRecord record, Context ctx, Collector<Plan> out) {
        long now = ctx.timerService().currentProcessingTime();
        Plan plan;
        try {
            plan = accepted(record, ctx, now);
        } catch (Exception | OutOfMemoryError | StackOverflowError e) {
            reject(ctx, now, record, "", "could not be checked: " + e);
            return;
        }
        if (plan != null) {
            LOG.info("accepted plan {} for graph {} from {}: {}", plan.version(), plan.graph(), plan.createdBy(),
                    DeadLetters.cut(plan.note(), 500));
            out.collect(plan);
        }
    }

    /** The plan in {@code record} if an operator can apply it, else null (its dead letter written). */
    private Plan accepted(SourceRecord record, Context ctx, long now) {
        if (record.value.length > MAX_RECORD_BYTES) {
            reject(ctx, now, record, "", "record of " + record.value.length + " bytes is over the limit of " + MAX_RECORD_BYTES
                    + " for a plan");
            return null;
        }
        Plan plan;
        try {
            plan = PlanAvro.fromAvro(AvroBytes.decode(record.value, io.jigsaw.schemas.Plan.class));
        } catch (Exception e) {
            reject(ctx, now, record, "", "not an Avro Plan record: " + e);
            return null;
        }
        List<String> problems = PlanValidator.problems(plan, graph);
        if (!problems.isEmpty()) {
            reject(ctx, now, record, "plan " + plan.version() + " by " + plan.createdBy() + ": ", String.join("; ", problems));
            return null;
        }
        return plan;
    }

    private void reject(Context ctx, long now, SourceRecord record, String which, String reason) {
        LOG.warn("rejected {}", DeadLetters.cut(which + reason, DeadLetters.MAX_REASON_CHARS));
        ctx.output(Tags.DEAD_LETTERS, DeadLetters.of(record, "validate-plan", which + reason, "", now));
    }
}
