package io.jigsaw.operators;

import io.jigsaw.schemas.DeadLetter;
import io.jigsaw.schemas.Telemetry;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

/** The side outputs of the job's functions, in one place so the job wires the same tags they emit to. */
public final class Tags {

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));
    public static final OutputTag<Telemetry> TELEMETRY = new OutputTag<>("telemetry", new AvroTypeInfo<>(Telemetry.class));

    private Tags() {
    }

    /** Pieces a task sends to one child task. */
    public static OutputTag<Piece> toChild(String child) {
        return new OutputTag<>("to-" + child, TypeInformation.of(Piece.class));
    }
}
