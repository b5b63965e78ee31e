package io.jigsaw.operators;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.image.Pictures;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.schemas.AvroBytes;
import io.jigsaw.schemas.EncodedImage;
import io.jigsaw.schemas.Request;
import io.jigsaw.schemas.Tensor;
import io.jigsaw.schemas.Truth;
import io.jigsaw.schemas.TruthObject;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns {@code requests} records into root pieces, or into dead letters with the reason (and the
 * original bytes, or a reference to them: {@link DeadLetters}) when a record is too large, cannot be
 * decoded, names another graph, or carries a tensor that does not match the graph's input spec or is
 * not finite. No single record can stop it: a record is size-checked before it is decoded and
 * bounds-checked before anything is allocated for it ({@link AvroBytes#decode}), and whatever else
 * one record makes the decoding throw, an {@code Error} included, ends as its dead letter. Connected
 * to the plan broadcast to choose the root task's replica from the current plan. A request's truth,
 * if it has one, is checked and carried along to be scored ({@link Scorer}).
 *
 * <p>Clocks: a request's deadline is its budget (its producer's deadline − event time, else the SLO)
 * from where {@link RequestClock} says its clock starts. By default its producer's event time — but a
 * producer whose clock runs ahead of the job's would hold a request past any sensible time, so a
 * request whose event time is more than {@link #CLOCK_AHEAD_TOLERANCE_MS} ahead of its arrival gets its
 * budget from its arrival instead; where client clocks cannot be trusted at all, the broker's
 * log-append time or the job's ingestion time. The skew is measured ({@code clockSkewMs}, {@code clockAheadRequests}, {@code clockAheadMaxMs}).
 */
public class RequestDecoder extends BroadcastProcessFunction<SourceRecord, Plan, Piece> {

    static final String STAGE = "decode-request";
    static final String TRUTH_STAGE = "decode-truth";

    /** How far a request's event time may lie after its arrival before the job treats its clock as ahead. */
    public static final long CLOCK_AHEAD_TOLERANCE_MS = 1_000;

    private final Graph graph;
    private final LaneKeys rootLanes;
    private final Scorer scorer;
    private final long maxRecordBytes;
    private final Pictures.Limits imageLimits;
    private final RequestClock clock;

    private transient ClockSkew clocks;

    /** What a request may carry besides its frame by default: ids, shape, truth. */
    public static final long DEFAULT_EXTRA_BYTES = 64 * 1024;

    /** The default limits of an encoded picture: 960 KiB (within Kafka's default 1 MiB record), and a 4K frame's pixels. */
    public static final Pictures.Limits DEFAULT_IMAGE_LIMITS = new Pictures.Limits(960L << 10, 3840L * 2160);

    /** With the default limits: the graph's input frame (or the largest picture) and {@link #DEFAULT_EXTRA_BYTES} for the rest. */
    public RequestDecoder(Graph graph, LaneKeys rootLanes) {
        this(graph, rootLanes, maxRecordBytes(graph, DEFAULT_EXTRA_BYTES, DEFAULT_IMAGE_LIMITS), DEFAULT_IMAGE_LIMITS);
    }

    /**
     * @param maxRecordBytes the largest record decoded; a larger one is dead-lettered unread
     * @param imageLimits what an encoded picture may be, checked before its pixels are decoded
     */
    public RequestDecoder(Graph graph, LaneKeys rootLanes, long maxRecordBytes, Pictures.Limits imageLimits) {
        this(graph, rootLanes, maxRecordBytes, imageLimits, RequestClock.EVENT_TIME);
    }

    /** @param clock where a request's SLO clock starts */
    public RequestDecoder(Graph graph, LaneKeys rootLanes, long maxRecordBytes, Pictures.Limits imageLimits, RequestClock clock) {
        this.clock = clock;
        this.graph = graph;
        this.rootLanes = rootLanes;
        this.scorer = new Scorer(graph);
        this.maxRecordBytes = maxRecordBytes;
        this.imageLimits = imageLimits;
    }

    /** The largest request record of {@code graph}: its input frame's bytes or the largest picture, and {@code extraBytes}. */
    public static long maxRecordBytes(Graph graph, long extraBytes, Pictures.Limits imageLimits) {
        return Math.max(graph.input().map(TensorSpec::bytes).orElse(0L), imageLimits.maxBytes()) + extraBytes;
    }

    @Override
    public void open(OpenContext openContext) {
        clocks = new ClockSkew(getRuntimeContext().getMetricGroup().addGroup("jigsaw"));
    }

    @Override
    public void processElement(SourceRecord record, ReadOnlyContext ctx, Collector<Piece> out) throws Exception {
        long now = ctx.currentProcessingTime();
        Piece p;
        try {
            p = piece(record, ctx, now);
        } catch (Exception | OutOfMemoryError | StackOverflowError e) {
            // Whatever one record makes the decoding do, it is that record's failure, not the job's.
            ctx.output(Tags.DEAD_LETTERS, DeadLetters.of(record, STAGE, "could not be decoded: " + e, "", now));
            return;
        }
        if (p != null) {
            out.collect(p);
        }
    }

    /** The root piece of {@code record}, or null when it went to dead-letters. */
    private Piece piece(SourceRecord record, ReadOnlyContext ctx, long now) throws Exception {
        byte[] bytes = record.value;
        if (bytes.length > maxRecordBytes) {
            ctx.output(Tags.DEAD_LETTERS, DeadLetters.of(record, STAGE, "record of " + bytes.length + " bytes is over the limit of "
                    + maxRecordBytes + " for graph " + graph.name() + " (its input frame or an encoded picture, jigsaw.requests.max-image-bytes,"
                    + " and what else a request carries, jigsaw.requests.max-extra-bytes)", "", now));
            return null;
        }
        Request request;
        try {
            request = AvroBytes.decode(bytes, Request.class);
        } catch (Exception e) {
            ctx.output(Tags.DEAD_LETTERS, DeadLetters.of(record, STAGE, "not an Avro Request record: " + e, "", now));
            return null;
        }
        String problem = problem(request);
        if (problem != null) {
            ctx.output(Tags.DEAD_LETTERS, DeadLetters.of(record, STAGE, problem, request.getRequestId(), now));
            return null;
        }
        Piece p = new Piece();
        p.requestId = request.getRequestId();
        p.graph = request.getGraph();
        p.eventTimeMs = request.getEventTimeMs();
        // The request's budget: what its producer gave it (deadline − event time), else the graph's SLO.
        long budget = request.getDeadlineMs() > 0 ? request.getDeadlineMs() - request.getEventTimeMs() : (long) graph.latencySloMs();
        long ahead = request.getEventTimeMs() - now;
        clocks.observe(record.producer, ahead);
        long start = switch (clock) {
            // A clock ahead of ours: the request's budget counts from its arrival, not from a time still to come.
            case EVENT_TIME -> ahead > CLOCK_AHEAD_TOLERANCE_MS ? now : request.getEventTimeMs();
            // The broker's clock where the topic keeps it; a record without it counts from its arrival here.
            case LOG_APPEND_TIME -> record.logAppendTimeMs >= 0 ? Math.min(record.logAppendTimeMs, now) : now;
            case INGESTION -> now;
        };
        p.deadlineMs = start + budget;
        TensorSpec spec = graph.input().orElseThrow();
        if (request.getImage() != null) {
            // Bounds checked before a pixel is decoded (Pictures.decode): a picture over a limit is a dead letter.
            EncodedImage image = request.getImage();
            try {
                p.payload = bytes(Pictures.decode(bytes(image.getData()), image.getContentType(), spec, imageLimits));
            } catch (Pictures.Refused e) {
                ctx.output(Tags.DEAD_LETTERS, DeadLetters.of(record, STAGE, "image: " + e.getMessage(), request.getRequestId(), now));
                return null;
            }
            p.shape = spec.shape().stream().mapToInt(Integer::intValue).toArray();
            p.dtype = spec.dtype();
        } else {
            Tensor t = request.getPayload();
            p.payload = bytes(t.getData());
            p.shape = t.getShape().stream().mapToInt(Integer::intValue).toArray();
            p.dtype = t.getDtype();
        }
        if (request.getTruth() != null) {
            truth(p, request.getTruth(), ctx, now, record);
        }
        Plan plan = PlanBroadcast.current(ctx.getBroadcastState(PlanBroadcast.PLANS), graph.name());
        p.laneKey = rootLanes.keyForPiece(p, PlanBroadcast.weights(plan, graph.root().name()));
        p.departs(Micros.now());
        return p;
    }

    /**
     * A request's truth, checked: a label the graph does not know or a malformed box does not stop the
     * request (it is served, unscored); the truth goes to dead-letters with the reason, and the result
     * says it was rejected.
     */
    private void truth(Piece p, Truth truth, ReadOnlyContext ctx, long now, SourceRecord record) {
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
            ctx.output(Tags.DEAD_LETTERS, DeadLetters.of(record, TRUTH_STAGE, "truth not used (the request is served): " + problem,
                    p.requestId, now));
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
        if (r.getRequestId().length() > DeadLetters.MAX_REQUEST_ID_CHARS) {
            return "request_id of " + r.getRequestId().length() + " characters; at most " + DeadLetters.MAX_REQUEST_ID_CHARS;
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
        if ((r.getPayload() == null) == (r.getImage() == null)) {
            return r.getPayload() == null ? "no frame: a request carries payload (a tensor) or image (an encoded picture)"
                    : "both payload and image: a request carries its frame one way";
        }
        TensorSpec spec = graph.input().orElseThrow();
        if (r.getImage() != null) {
            String unfit = Pictures.unfit(spec);
            return unfit == null ? null : "image: graph " + graph.name() + " takes no pictures: " + unfit;
        }
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
        long notFinite = notFinite(t.getData(), spec.dtype());
        if (notFinite > 0) {
            return "payload has " + notFinite + " values that are not finite (NaN or ±Infinity); a frame's values must be";
        }
        return null;
    }

    /** How many of a float tensor's values are NaN or infinite (0 for integer types). */
    static long notFinite(ByteBuffer data, String dtype) {
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long n = 0;
        if (TensorSpec.FLOAT32.equals(dtype)) {
            FloatBuffer f = b.asFloatBuffer();
            while (f.hasRemaining()) {
                if (!Float.isFinite(f.get())) {
                    n++;
                }
            }
        } else if ("float64".equals(dtype)) {
            DoubleBuffer d = b.asDoubleBuffer();
            while (d.hasRemaining()) {
                if (!Double.isFinite(d.get())) {
                    n++;
                }
            }
        }
        return n;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
