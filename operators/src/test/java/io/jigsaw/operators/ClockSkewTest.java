package io.jigsaw.operators;

import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.testutils.MetricListener;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Clock skew per producer: a request's event time minus its arrival, as a gauge per named producer. */
class ClockSkewTest {

    @Test
    void eachNamedProducersSkewIsItsOwnGaugeAndTheManyBeyondTheLimitShareOne() {
        MetricListener metrics = new MetricListener();
        ClockSkew skew = new ClockSkew(metrics.getMetricGroup());

        skew.observe("camera-1", -40);
        skew.observe("camera-2", 7_200_000);
        skew.observe(null, -5);

        assertThat(metrics.<Long>getGauge("producer", "camera-1", "clockSkewMs")).get().extracting(Gauge::getValue).isEqualTo(-40L);
        assertThat(metrics.<Long>getGauge("producer", "camera-2", "clockSkewMs")).get().extracting(Gauge::getValue).isEqualTo(7_200_000L);
        assertThat(metrics.<Long>getGauge("clockAheadMaxMs")).get().extracting(Gauge::getValue).isEqualTo(7_200_000L);
        assertThat(metrics.<Long>getGauge("clockSkewMs")).get().extracting(Gauge::getValue).isEqualTo(-5L);

        skew.observe("odd name/\n" + "x".repeat(500), 3);
        assertThat(metrics.<Long>getGauge("producer", "odd_name__" + "x".repeat(ClockSkew.MAX_NAME_CHARS - 10), "clockSkewMs"))
                .as("a header's name made plain and cut").isPresent();

        for (int i = 0; i < ClockSkew.MAX_PRODUCERS + 5; i++) {
            skew.observe("p" + i, i);
        }
        assertThat(metrics.<Long>getGauge("producer", "other", "clockSkewMs")).as("producers past the limit").isPresent();
    }
}
