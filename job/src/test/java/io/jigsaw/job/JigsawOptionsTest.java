package io.jigsaw.job;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JigsawOptionsTest {

    @Test
    void requestsStartReadsTheLowerCaseNamesTheReadmeShows() {
        Configuration conf = Configuration.fromMap(Map.of("jigsaw.kafka.requests-start", "latest"));

        assertThat(conf.get(JigsawOptions.START_FROM)).isEqualTo(JigsawOptions.StartFrom.LATEST);
        assertThat(new Configuration().get(JigsawOptions.START_FROM)).isEqualTo(JigsawOptions.StartFrom.EARLIEST);
    }

    @Test
    void aMisspelledStartIsAnErrorNotEarliest() {
        Configuration conf = Configuration.fromMap(Map.of("jigsaw.kafka.requests-start", "lastest"));

        assertThatThrownBy(() -> conf.get(JigsawOptions.START_FROM)).hasMessageContaining("lastest");
    }

    @Test
    void theDeliveryAllowanceIsTheCommitWaitUnderExactlyOnceAndTheWayToTheReaderAlways() {
        Configuration idempotent = new Configuration();
        Configuration exactlyOnce = Configuration.fromMap(Map.of("jigsaw.delivery", "exactly_once",
                "jigsaw.checkpoint.interval", "100 ms"));

        assertThat(idempotent.get(JigsawOptions.DELIVERY)).as("the default").isEqualTo(JigsawOptions.Delivery.IDEMPOTENT);
        assertThat(JigsawOptions.deliveryAllowance(idempotent)).isEqualTo(Duration.ofMillis(15));
        assertThat(JigsawOptions.deliveryAllowance(exactlyOnce)).isEqualTo(Duration.ofMillis(115));
    }
}
