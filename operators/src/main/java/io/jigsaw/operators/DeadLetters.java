package io.jigsaw.operators;

import io.jigsaw.schemas.DeadLetter;

import java.nio.ByteBuffer;

/** Builds the record that says why an input was not used, with the input's own bytes. */
public final class DeadLetters {

    private DeadLetters() {
    }

    public static DeadLetter of(String topic, String stage, String reason, String requestId, long timeMs, byte[] original) {
        return DeadLetter.newBuilder()
                .setSourceTopic(topic)
                .setStage(stage)
                .setReason(reason)
                .setRequestId(requestId == null ? "" : requestId)
                .setTimeMs(timeMs)
                .setOriginal(ByteBuffer.wrap(original == null ? new byte[0] : original))
                .build();
    }
}
