package io.jigsaw.operators;

import io.jigsaw.schemas.AvroBytes;
import io.jigsaw.schemas.DeadLetter;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** A dead letter is small enough to write whatever it is about. */
class DeadLettersTest {

    @Test
    void theOriginalIsKeptUpToTheStatedSizeAndReferredToAbove() {
        DeadLetter small = DeadLetters.of(new SourceRecord("t", 1, 2, new byte[DeadLetters.MAX_ORIGINAL_BYTES]), "s", "why", "id", 5);
        DeadLetter large = DeadLetters.of(new SourceRecord("t", 1, 2, new byte[DeadLetters.MAX_ORIGINAL_BYTES + 1]), "s", "why", "id", 5);

        assertThat(small.getOriginal().remaining()).isEqualTo(DeadLetters.MAX_ORIGINAL_BYTES);
        assertThat(small.getReason()).isEqualTo("why");
        assertThat(large.getOriginal().remaining()).isZero();
        assertThat(large.getOriginalSize()).isEqualTo(DeadLetters.MAX_ORIGINAL_BYTES + 1);
        assertThat(large.getReason()).contains("read it at t partition 1 offset 2");
    }

    @Test
    void noDeadLetterReachesAProducersOneMebibyteLimitWhateverItsParts() {
        String reason = "\uD83D\uDE00".repeat(500_000);
        DeadLetter d = DeadLetters.of(new SourceRecord("t", 0, 0, new byte[DeadLetters.MAX_ORIGINAL_BYTES]), "s", reason,
                "\uD83D\uDE00".repeat(10_000), 1);

        assertThat(AvroBytes.encode(d).length).isLessThan(300 * 1024);
        assertThat(d.getReason()).hasSizeLessThanOrEqualTo(DeadLetters.MAX_REASON_CHARS).contains("more characters cut");
        // Cut between characters, never inside a surrogate pair: it encodes and reads back the same.
        assertThat(new String(d.getReason().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(d.getReason());
        assertThat(new String(d.getRequestId().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(d.getRequestId());
    }
}
