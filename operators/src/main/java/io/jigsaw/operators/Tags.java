package io.jigsaw.operators;

import io.jigsaw.schemas.DeadLetter;
import io.jigsaw.schemas.Telemetry;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The side outputs of the job's functions, in one place so the job wires the same tags they emit to. */
public final class Tags {

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));
    public static final OutputTag<Telemetry> TELEMETRY = new OutputTag<>("telemetry", new AvroTypeInfo<>(Telemetry.class));

    private Tags() {
    }

    private static final TypeInformation<Piece> PIECE = TypeInformation.of(Piece.class);
    private static final Map<String, OutputTag<Piece>> TO_CHILD = new ConcurrentHashMap<>();

    /**
     * Pieces a task sends to one child task. Made once per child: operators ask for it per piece, and
     * a new tag analyses the Piece class again (the framework benchmark found a third of the job's CPU there).
     */
    public static OutputTag<Piece> toChild(String child) {
        return TO_CHILD.computeIfAbsent(child, c -> new OutputTag<>("to-" + c, PIECE));
    }
}
