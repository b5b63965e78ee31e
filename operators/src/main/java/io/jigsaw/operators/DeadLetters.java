package io.jigsaw.operators;

import io.jigsaw.schemas.DeadLetter;

import java.nio.ByteBuffer;

/**
 * Builds the record that says why an input was not used. Bounded in size whatever the input was,
 * so that writing it can never fail on what a client chose (a producer's {@code max.request.size}
 * is 1 MiB by default): the reason and the request id are cut to a stated length, and the original
 * bytes are kept only up to {@link #MAX_ORIGINAL_BYTES}; a larger original is referred to by topic,
 * partition and offset instead, and its size is stated.
 */
public final class DeadLetters {

    /** Longest reason kept, in characters (at most 4 bytes each in UTF-8). */
    public static final int MAX_REASON_CHARS = 2_000;
    /** Longest request id kept, in characters. */
    public static final int MAX_REQUEST_ID_CHARS = 256;
    /** Largest original kept in the dead letter; above it only the reference and the size. */
    public static final int MAX_ORIGINAL_BYTES = 256 * 1024;

    private DeadLetters() {
    }

    /** An input rejected after the source (no partition or offset known): the bytes it is judged on. */
    public static DeadLetter of(String topic, String stage, String reason, String requestId, long timeMs, byte[] original) {
        return of(SourceRecord.of(topic, original), stage, reason, requestId, timeMs);
    }

    /** A record rejected as read: its reference, and its bytes when they are small enough to keep. */
    public static DeadLetter of(SourceRecord from, String stage, String reason, String requestId, long timeMs) {
        byte[] original = from.value == null ? new byte[0] : from.value;
        boolean keep = original.length <= MAX_ORIGINAL_BYTES;
        String why = keep ? reason : reason + " [original of " + original.length + " bytes not kept (over "
                + MAX_ORIGINAL_BYTES + "): read it at " + from.topic + " partition " + from.partition + " offset " + from.offset + "]";
        return DeadLetter.newBuilder()
                .setSourceTopic(from.topic)
                .setStage(stage)
                .setReason(cut(why, MAX_REASON_CHARS))
                .setRequestId(requestId == null ? "" : cut(requestId, MAX_REQUEST_ID_CHARS))
                .setTimeMs(timeMs)
                .setOriginal(ByteBuffer.wrap(keep ? original : new byte[0]))
                .setSourcePartition(from.partition)
                .setSourceOffset(from.offset)
                .setOriginalSize(original.length)
                .build();
    }

    /** {@code s} itself when short enough, else its head and a note of how much was cut (the tail says the most, often). */
    public static String cut(String s, int maxChars) {
        if (s.length() <= maxChars) {
            return s;
        }
        String note = "… [" + (s.length() - maxChars) + " more characters cut] …";
        int keep = maxChars - note.length();
        int head = keep * 3 / 4;
        int tail = keep - head;
        // Never split a surrogate pair: a lone surrogate would not encode as UTF-8.
        if (Character.isHighSurrogate(s.charAt(head - 1))) {
            head--;
        }
        int tailStart = s.length() - tail;
        if (Character.isLowSurrogate(s.charAt(tailStart))) {
            tailStart++;
        }
        return s.substring(0, head) + note + s.substring(tailStart);
    }
}
