package io.jigsaw.operators;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.schemas.Request;
import io.jigsaw.schemas.Tensor;
import io.jigsaw.schemas.Truth;
import io.jigsaw.schemas.TruthObject;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns {@code requests} records into root pieces, or into dead letters with the reason and the
 * original bytes when a record cannot be decoded, names another graph, or carries a tensor that
 * does not match the graph's input spec. Connected to the plan broadcast to choose the root task's
 * replica from the current plan. A request's truth, if it has one, is checked and carried along to be
 * scored ({@link Scorer}).
 */
public class RequestDecoder extends BroadcastProcessFunction<byte[], Plan, Piece> {

    static final String STAGE = "decode-request";
    static final String TRUTH_STAGE = "decode-truth";

    private final Graph graph;
    private final String topic;
    private final LaneKeys rootLanes;
    private final Scorer scorer;

    public RequestDecoder(Graph graph, String topic, LaneKeys rootLanes) {
        this.graph = graph;
        this.topic = topic;
        this.rootLanes = rootLanes;
        this.scorer = new Scorer(graph);
    }

    @Override
    public void processElement(byte[] bytes, ReadOnlyContext ctx, Collector<Piece> out) throws Exception {
        long now = ctx.currentProcessingTime();
        Request request;
        try {
            request = AvroBytes.decode(bytes, Request.class);
        } catch (Exception e) {
            ctx.output(Tags.DEAD_LETTERS, DeadLetters.of(topic, STAGE, "not an Avro Request record: " + e, "", now, bytes));
            return;
        }
        String problem = problem(request);
        if (problem != null) {
            ctx.output(Tags.DEAD_LETTERS, DeadLetters.of(topic, STAGE, problem, request.getRequestId(), now, bytes));
            return;
        }
        Piece p = new Piece();
        p.requestId = request.getRequestId();
        p.graph = request.getGraph();
        p.eventTimeMs = request.getEventTimeMs();
        p.deadlineMs = request.getDeadlineMs() > 0 ? request.getDeadlineMs()
                : request.getEventTimeMs() + (long) graph.latencySloMs();
        Tensor t = request.getPayload();
        p.payload = bytes(t.getData());
        p.shape = t.getShape().stream().mapToInt(Integer::intValue).toArray();
        p.dtype = t.getDtype();
        if (request.getTruth() != null) {
            truth(p, request.getTruth(), ctx, now, bytes);
        }
        Plan plan = PlanBroadcast.current(ctx.getBroadcastState(PlanBroadcast.PLANS), graph.name());
        p.laneKey = rootLanes.keyForPiece(p, PlanBroadcast.weights(plan, graph.root().name()));
        p.departs(Micros.now());
        out.collect(p);
    }

    /**
     * A request's truth, checked: a label the graph does not know or a malformed box does not stop the
     * request (it is served, unscored); the truth goes to dead-letters with the reason, and the result
     * says it was rejected.
     */
    private void truth(Piece p, Truth truth, ReadOnlyContext ctx, long now, byte[] bytes) {
        List<GroundTruth> objects = new ArrayList<>();
        for (TruthObject o : truth.getObjects()) {
            float[] box = new float[o.getBox().size()];
            for (int i = 0; i < box.length; i++) {
                box[i] = o.getBox().get(i);
            }
            objects.add(new GroundTruth(o.getLabel(), box, o.getDistance()));
        }
        String problem = scorer.problem(objects);
        if (problem == null) {
            p.truth = objects.toArray(GroundTruth[]::new);
        } else {
            p.truthRejected = problem;
            ctx.output(Tags.DEAD_LETTERS, DeadLetters.of(topic, TRUTH_STAGE, "truth not used (the request is served): " + problem,
                    p.requestId, now, bytes));
        }
    }

    @Override
    public void processBroadcastElement(Plan plan, Context ctx, Collector<Piece> out) throws Exception {
        PlanBroadcast.accept(ctx.getBroadcastState(PlanBroadcast.PLANS), graph.name(), plan);
    }

    private String problem(Request r) {
        if (r.getRequestId() == null || r.getRequestId().isBlank()) {
            return "empty request_id";
        }
        if (!graph.name().equals(r.getGraph())) {
            return "unknown graph '" + r.getGraph() + "' (this job serves '" + graph.name() + "')";
        }
        if (r.getEventTimeMs() <= 0) {
            return "event_time_ms must be > 0, found " + r.getEventTimeMs();
        }
        if (r.getDeadlineMs() < 0) {
            return "deadline_ms must be >= 0 (0: event time + the graph's SLO), found " + r.getDeadlineMs();
        }
        if (r.getDeadlineMs() > 0 && r.getDeadlineMs() < r.getEventTimeMs()) {
            return "deadline_ms " + r.getDeadlineMs() + " is before event_time_ms " + r.getEventTimeMs();
        }
        TensorSpec spec = graph.input().orElseThrow();
        Tensor t = r.getPayload();
        List<Integer> shape = t.getShape();
        if (!spec.shape().equals(shape)) {
            return "payload shape " + shape + " does not match the graph's input " + spec.shape();
        }
        if (!spec.dtype().equals(t.getDtype())) {
            return "payload dtype '" + t.getDtype() + "' does not match the graph's input " + spec.dtype();
        }
        if (t.getData().remaining() != spec.bytes()) {
            return "payload has " + t.getData().remaining() + " bytes; shape " + spec.shape() + " of " + spec.dtype()
                    + " needs " + spec.bytes();
        }
        return null;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
