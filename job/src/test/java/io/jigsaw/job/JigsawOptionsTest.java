package io.jigsaw.job;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

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
}
