package io.jigsaw.job.cli;

import io.jigsaw.job.RealKafka;
import io.jigsaw.job.TestResults;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.Topics;
import org.apache.flink.configuration.Configuration;
import io.jigsaw.job.JigsawOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** `bin/jigsaw results` against a real broker whose results topic never goes quiet. */
class ResultsCommandIntegrationTest {

    @RegisterExtension
    static final RealKafka kafka = new RealKafka();

    @Test
    void withoutFollowItStopsAfterItsIdleTimeHoweverBusyTheTopicAndSkipsWhatItCannotRead() throws Exception {
        Configuration conf = new Configuration();
        conf.set(JigsawOptions.BOOTSTRAP, kafka.bootstrap());
        conf.set(JigsawOptions.TOPIC_RESULTS, "busy-results");
        Topics topics = Topics.from(conf);
        topics.create(kafka.bootstrap(), 1);
        AtomicBoolean stop = new AtomicBoolean();
        try (AvroProducer producer = new AvroProducer(kafka.bootstrap())) {
            producer.sendBytes(topics.results(), "x", null).get();
            producer.sendBytes(topics.results(), "x", new byte[] {1, 2, 3}).get();
            Thread live = new Thread(() -> {
                for (int i = 0; !stop.get() && i < 100_000; i++) {
                    producer.send(topics.results(), "r" + i, TestResults.result("r" + i, i, i + 1, true, false));
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "live-producer");
            live.start();
            try {
                Thread.sleep(1000);
                long t0 = System.nanoTime();

                JigsawCliTest.Run run = JigsawCliTest.run("results", "--bootstrap", kafka.bootstrap(), "--topic", topics.results(),
                        "--from-beginning", "--idle", "1");

                double seconds = (System.nanoTime() - t0) / 1e9;
                assertThat(run.code()).as(run.err()).isZero();
                assertThat(seconds).as("stopped a second after reaching where the topic ended at its start").isLessThan(20);
                assertThat(run.out()).contains("r0 ");
                assertThat(run.err()).contains("warning: skipped busy-results partition 0 offset 0: a tombstone")
                        .contains("warning: skipped busy-results partition 0 offset 1: not a Result record");
            } finally {
                stop.set(true);
                live.join(10_000);
            }
        }
    }
}
