package io.jigsaw.operators;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.schemas.AvroBytes;
import io.jigsaw.schemas.DeadLetter;
import io.jigsaw.schemas.EncodedImage;
import io.jigsaw.core.image.Pictures;
import io.jigsaw.schemas.Request;
import io.jigsaw.schemas.Tensor;
import io.jigsaw.schemas.Truth;
import io.jigsaw.schemas.TruthObject;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the request decoder makes of single records a careless or hostile producer sends: each ends as
 * a root piece or as a dead letter with its reason, and none makes it throw.
 */
class RequestDecoderHarnessTest {

    static final Graph GRAPH = DemoGraph.load();
    static final long NOW = 1_800_000_000_000L;

    BroadcastOperatorTestHarness<SourceRecord, Plan, Piece> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forBroadcastProcessFunction(
                new RequestDecoder(GRAPH, LaneKeys.of(2, 128)), PlanBroadcast.PLANS);
        harness.setProcessingTime(NOW);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    List<DeadLetter> deadLetters() {
        var q = harness.getSideOutput(Tags.DEAD_LETTERS);
        return q == null ? List.of() : q.stream().map(StreamRecord::getValue).toList();
    }

    DeadLetter onlyDeadLetter(byte[] value) throws Exception {
        harness.processElement(new SourceRecord("requests", 3, 77, value), 0);
        assertThat(harness.extractOutputValues()).as("pieces").isEmpty();
        assertThat(deadLetters()).hasSize(1);
        return deadLetters().get(0);
    }

    static Request request(String id, long eventTime) {
        ByteBuffer data = ByteBuffer.wrap(DemoGraph.frame(1));
        return Request.newBuilder().setRequestId(id).setGraph("xr-scene").setEventTimeMs(eventTime).setDeadlineMs(0)
                .setPayload(Tensor.newBuilder().setData(data).setShape(List.of(64, 64, 3)).setDtype("float32").build()).build();
    }

    @Test
    void aGoodRequestBecomesItsRootPiece() throws Exception {
        harness.processElement(SourceRecord.of("requests", AvroBytes.encode(request("r1", NOW - 5))), 0);

        assertThat(harness.extractOutputValues()).singleElement().satisfies(p -> {
            assertThat(p.requestId).isEqualTo("r1");
            assertThat(p.deadlineMs).isEqualTo(NOW - 5 + (long) GRAPH.latencySloMs());
        });
        assertThat(deadLetters()).isEmpty();
    }

    static Request picture(String id, String contentType, byte[] data) {
        return Request.newBuilder().setRequestId(id).setGraph("xr-scene").setEventTimeMs(NOW).setDeadlineMs(0)
                .setImage(EncodedImage.newBuilder().setContentType(contentType).setData(ByteBuffer.wrap(data)).build()).build();
    }

    static byte[] encode(BufferedImage image, String format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out)).isTrue();
        return out.toByteArray();
    }

    @Test
    void anEncodedPictureBecomesTheFrameTheClientWouldHaveSent() throws Exception {
        Path png = Path.of(System.getProperty("jigsaw.examples.dir"), "xr-scene", "pictures", "scene-1.png");
        harness.processElement(SourceRecord.of("requests", AvroBytes.encode(picture("p1", "image/png", Files.readAllBytes(png)))), 0);

        byte[] clientSide = new byte[GRAPH.input().orElseThrow().bytes() > 0 ? (int) GRAPH.input().orElseThrow().bytes() : 0];
        Pictures.read(png, GRAPH.input().orElseThrow()).get(clientSide);
        assertThat(deadLetters()).isEmpty();
        assertThat(harness.extractOutputValues()).singleElement().satisfies(p -> {
            assertThat(p.payload).as("the same bytes as `send --raw` makes of the file").isEqualTo(clientSide);
            assertThat(p.shape).containsExactly(64, 64, 3);
            assertThat(p.dtype).isEqualTo("float32");
        });
    }

    @Test
    void aFullHdJpegIsStretchedToTheGraphsFrame() throws Exception {
        BufferedImage hd = new BufferedImage(1920, 1080, BufferedImage.TYPE_INT_RGB);
        var g = hd.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(960, 0, 960, 1080);
        g.dispose();
        byte[] jpeg = encode(hd, "jpeg");

        harness.processElement(SourceRecord.of("requests", AvroBytes.encode(picture("hd", "image/jpeg", jpeg))), 0);

        assertThat(deadLetters()).isEmpty();
        Piece p = harness.extractOutputValues().get(0);
        ByteBuffer frame = ByteBuffer.wrap(p.payload).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(frame.getFloat(0)).as("left half black").isLessThan(0.05f);
        assertThat(frame.getFloat((63 * 64 + 63) * 3 * 4)).as("right half white").isGreaterThan(0.95f);
    }

    @Test
    void aDecompressionBombIsADeadLetterRefusedBeforeDecoding() throws Exception {
        byte[] bomb = PngBombs.declaring(100_000, 100_000);
        assertThat(bomb.length).as("a few hundred bytes declaring ten gigapixels").isLessThan(1_000);

        DeadLetter d = onlyDeadLetter(AvroBytes.encode(picture("bomb", "image/png", bomb)));

        assertThat(d.getReason()).contains("100000 x 100000").contains("pixels is over the limit of " + 3840L * 2160)
                .contains("checked before decoding");
        assertThat(d.getRequestId()).isEqualTo("bomb");
    }

    @Test
    void aPictureThatIsNotWhatItsContentTypeSaysOrNoFrameOrTwoAreDeadLetters() throws Exception {
        BufferedImage small = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        Request png = picture("png-as-jpeg", "image/jpeg", encode(small, "png"));
        Request gif = picture("gif", "image/gif", encode(small, "gif"));
        Request garbage = picture("garbage", "image/png", new byte[] {1, 2, 3});
        Request both = request("both", NOW);
        both.setImage(png.getImage());
        Request neither = request("neither", NOW);
        neither.setPayload(null);
        for (Request r : List.of(png, gif, garbage, both, neither)) {
            harness.processElement(SourceRecord.of("requests", AvroBytes.encode(r)), 0);
        }

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(deadLetters()).extracting(DeadLetter::getReason).satisfiesExactly(
                r -> assertThat(r).contains("content type image/jpeg but the bytes are png"),
                r -> assertThat(r).contains("content type 'image/gif' is not one of"),
                r -> assertThat(r).contains("not an image ImageIO can read"),
                r -> assertThat(r).contains("both payload and image"),
                r -> assertThat(r).contains("no frame"));
    }

    /** The deadline the decoder gives a request under a clock, for a record the broker appended at {@code appendedAt} (-1: not kept). */
    static long deadlineUnder(RequestClock clock, Request r, long appendedAt) throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forBroadcastProcessFunction(new RequestDecoder(GRAPH, LaneKeys.of(2, 128),
                RequestDecoder.maxRecordBytes(GRAPH, RequestDecoder.DEFAULT_EXTRA_BYTES, RequestDecoder.DEFAULT_IMAGE_LIMITS),
                RequestDecoder.DEFAULT_IMAGE_LIMITS, clock), PlanBroadcast.PLANS)) {
            h.setProcessingTime(NOW);
            h.processElement(new SourceRecord("requests", 0, 1, AvroBytes.encode(r)).appendedAt(appendedAt), 0);
            return h.extractOutputValues().get(0).deadlineMs;
        }
    }

    @Test
    void whoseClockStartsTheSloIsTheJobsChoice() throws Exception {
        long slo = (long) GRAPH.latencySloMs();
        // A producer whose clock is two hours behind: by its event time the request is long late.
        Request behind = request("behind", NOW - 7_200_000);
        assertThat(deadlineUnder(RequestClock.EVENT_TIME, behind, NOW - 3)).isEqualTo(NOW - 7_200_000 + slo);
        assertThat(deadlineUnder(RequestClock.LOG_APPEND_TIME, behind, NOW - 3)).as("the broker's clock").isEqualTo(NOW - 3 + slo);
        assertThat(deadlineUnder(RequestClock.LOG_APPEND_TIME, behind, -1)).as("a topic without log-append time").isEqualTo(NOW + slo);
        assertThat(deadlineUnder(RequestClock.INGESTION, behind, -1)).isEqualTo(NOW + slo);
        // A producer's own budget travels with it: deadline 250 ms after its event time is 250 ms from the start.
        Request budget = request("budget", NOW - 7_200_000);
        budget.setDeadlineMs(NOW - 7_200_000 + 250);
        assertThat(deadlineUnder(RequestClock.INGESTION, budget, -1)).isEqualTo(NOW + 250);
    }

    @Test
    void anArrayCountBombIsADeadLetterNotAnOutOfMemoryError() throws Exception {
        byte[] bomb = RawRecords.shapeCountBomb(NOW);
        assertThat(bomb.length).as("a record of some KB declaring two billion ints").isBetween(40_000, 80_000);

        DeadLetter d = onlyDeadLetter(bomb);

        assertThat(d.getReason()).contains("declares a length or count beyond its own end");
        assertThat(d.getOriginal().remaining()).isEqualTo(bomb.length);
        assertThat(d.getSourcePartition()).isEqualTo(3);
        assertThat(d.getSourceOffset()).isEqualTo(77);
    }

    @Test
    void bytesAndStringLengthBombsAndNegativeLengthsAreDeadLetters() throws Exception {
        for (byte[] bomb : List.of(RawRecords.dataLengthBomb(NOW), RawRecords.stringLengthBomb(), RawRecords.negativeLength())) {
            harness.processElement(SourceRecord.of("requests", bomb), 0);
        }
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(deadLetters()).hasSize(3).allSatisfy(d -> assertThat(d.getReason()).startsWith("not an Avro Request record"));
    }

    @Test
    void aRecordOverTheGraphsLimitIsRefusedUnreadAndReferredTo() throws Exception {
        // The limit: the largest picture a request may carry (960 KiB by default; the demo's frame is 48 KiB) and 64 KiB more.
        byte[] huge = new byte[1_100_000];
        huge[0] = (byte) 0xC3;

        DeadLetter d = onlyDeadLetter(huge);

        assertThat(d.getReason()).contains("record of 1100000 bytes is over the limit of " + (960 * 1024 + 64 * 1024))
                .contains("original of 1100000 bytes not kept").contains("requests partition 3 offset 77");
        assertThat(d.getOriginal().remaining()).isZero();
        assertThat(d.getOriginalSize()).isEqualTo(1_100_000);
        assertThat(AvroBytes.encode(d).length).isLessThan(16 * 1024);
    }

    @Test
    void aReasonThatWouldPrintAHugeShapeIsCutAndTheDeadLetterStaysSmall() throws Exception {
        Request r = request("long-shape", NOW);
        r.getPayload().setShape(Collections.nCopies(15_000, 1));

        DeadLetter d = onlyDeadLetter(AvroBytes.encode(r));

        assertThat(d.getReason()).startsWith("payload shape [1, 1").contains("more characters cut").hasSizeLessThanOrEqualTo(
                DeadLetters.MAX_REASON_CHARS).endsWith("does not match the graph's input [64, 64, 3]");
    }

    @Test
    void aFrameWithNaNOrInfinityIsADeadLetter() throws Exception {
        Request r = request("nan", NOW);
        ByteBuffer data = ByteBuffer.wrap(DemoGraph.frame(2)).order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(40, Float.NaN).putFloat(400, Float.POSITIVE_INFINITY).putFloat(4000, Float.NEGATIVE_INFINITY);
        r.getPayload().setData(data);

        assertThat(onlyDeadLetter(AvroBytes.encode(r)).getReason()).contains("payload has 3 values that are not finite");
    }

    @Test
    void aTruthAtInfiniteDistanceIsRejectedAndTheRequestServed() throws Exception {
        Request r = request("inf-truth", NOW);
        r.setTruth(new Truth(List.of(new TruthObject("cup", List.of(0.1f, 0.1f, 0.2f, 0.2f), Float.POSITIVE_INFINITY))));

        harness.processElement(SourceRecord.of("requests", AvroBytes.encode(r)), 0);

        assertThat(harness.extractOutputValues()).singleElement().satisfies(p -> assertThat(p.truthRejected).contains("finite"));
        assertThat(deadLetters()).singleElement().satisfies(d -> assertThat(d.getReason())
                .contains("truth not used (the request is served)", "distance must be a finite number > 0 m, found Infinity"));
    }

    @Test
    void aRequestIdLongerThanTheLimitIsADeadLetterWithItsIdCut() throws Exception {
        String id = "x".repeat(10_000);

        DeadLetter d = onlyDeadLetter(AvroBytes.encode(request(id, NOW)));

        assertThat(d.getReason()).contains("request_id of 10000 characters; at most 256");
        assertThat(d.getRequestId()).hasSizeLessThanOrEqualTo(DeadLetters.MAX_REQUEST_ID_CHARS);
    }

    @Test
    void aClockTwoHoursAheadIsServedWithItsBudgetCountedFromArrival() throws Exception {
        long ahead = NOW + 2 * 3600_000L;
        harness.processElement(SourceRecord.of("requests", AvroBytes.encode(request("ahead", ahead))), 0);

        assertThat(harness.extractOutputValues()).singleElement().satisfies(p -> {
            assertThat(p.eventTimeMs).as("the client's event time, kept").isEqualTo(ahead);
            assertThat(p.deadlineMs).as("SLO from arrival on the job's clock").isEqualTo(NOW + (long) GRAPH.latencySloMs());
        });
    }

    @Test
    void aClockWithinTheToleranceKeepsItsOwnDeadline() throws Exception {
        harness.processElement(SourceRecord.of("requests", AvroBytes.encode(request("close", NOW + 500))), 0);

        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(p -> assertThat(p.deadlineMs).isEqualTo(NOW + 500 + (long) GRAPH.latencySloMs()));
    }

    @Test
    void trailingBytesAfterARecordAreRefused() throws Exception {
        byte[] good = AvroBytes.encode(request("tail", NOW));
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 3);

        assertThat(onlyDeadLetter(longer).getReason()).contains("3 bytes after the end of the Request record");
    }
}
