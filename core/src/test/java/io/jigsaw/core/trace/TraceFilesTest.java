package io.jigsaw.core.trace;

import io.jigsaw.core.input.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TraceFilesTest {

    @TempDir
    Path dir;

    private String write(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f.toString();
    }

    @Test
    void anArrivalCsvIsSortedAndRebasedToItsFirstArrivalKeepingGraphs() throws Exception {
        Trace t = TraceFiles.open(write("a.csv", "timestamp_ms,graph\n1700000000500,b\n1700000000000,a\n1700000000250,a\n"));

        assertThat(t.atMs()).containsExactly(0, 250, 500);
        assertThat(t.graphs()).containsExactly("a", "a", "b");
        assertThat(t.durationMs()).isEqualTo(500);
    }

    @Test
    void aBadArrivalLineIsNamedByItsLineNumber() throws Exception {
        String f = write("bad.csv", "timestamp_ms\n10\n\n20\nsoon\n");

        assertThatThrownBy(() -> TraceFiles.open(f)).isInstanceOf(InputException.class)
                .hasMessageContaining("bad.csv: line 5").hasMessageContaining("timestamp_ms").hasMessageContaining("soon");
    }

    @Test
    void azureCountsAreSummedOverFunctionsAndSpreadInsideTheirMinute() throws Exception {
        Trace t = TraceFiles.open(write("azure.csv", "HashOwner,HashApp,HashFunction,Trigger,1,2,3\n"
                + "o,a,f1,http,10,0,5\no,a,f2,timer,20,1,0\n"));

        assertThat(t.size()).isEqualTo(36);
        long firstMinute = java.util.Arrays.stream(t.atMs()).filter(x -> x < 60_000).count();
        long secondMinute = java.util.Arrays.stream(t.atMs()).filter(x -> x >= 60_000 && x < 120_000).count();
        assertThat(firstMinute).isEqualTo(30);
        assertThat(secondMinute).isEqualTo(1);
    }

    @Test
    void aNegativeAzureCountIsAnErrorAtItsLineAndColumn() throws Exception {
        String f = write("azure.csv", "HashOwner,HashApp,HashFunction,Trigger,1,2\no,a,f1,http,3,-1\n");

        assertThatThrownBy(() -> TraceFiles.open(f)).hasMessageContaining("line 2").hasMessageContaining("column '2'");
    }

    @Test
    void anUnknownHeaderOrMissingFileSaysWhatWasExpected() throws Exception {
        String f = write("x.csv", "time,what\n1,2\n");

        assertThatThrownBy(() -> TraceFiles.open(f)).hasMessageContaining("unknown trace format").hasMessageContaining("timestamp_ms");
        assertThatThrownBy(() -> TraceFiles.open(dir.resolve("none.csv").toString())).hasMessageContaining("no such trace file");
    }

    @Test
    void poissonHasItsRateAndTheSameSeedGivesTheSameTrace() {
        Trace t = TraceFiles.open("poisson:rate=200,duration=100,seed=3");

        assertThat(t.meanRateRps()).isCloseTo(200, within(6.0));
        assertThat(TraceFiles.open("poisson:rate=200,duration=100,seed=3")).isEqualTo(t);
        assertThat(TraceFiles.open("poisson:rate=200,duration=100,seed=4")).isNotEqualTo(t);
    }

    @Test
    void gammaHasItsRateAndItsSquaredCoefficientOfVariation() {
        Trace t = TraceFiles.open("gamma:rate=100,cv2=4,duration=2000,seed=1");
        double[] a = t.atMs();
        double sum = 0;
        double sumSq = 0;
        for (int i = 1; i < a.length; i++) {
            double gap = a[i] - a[i - 1];
            sum += gap;
            sumSq += gap * gap;
        }
        int n = a.length - 1;
        double mean = sum / n;
        double cv2 = (sumSq / n - mean * mean) / (mean * mean);

        assertThat(t.meanRateRps()).isCloseTo(100, within(5.0));
        assertThat(cv2).isCloseTo(4, within(0.3));
    }

    @Test
    void stepAndSpikeRaiseTheRateOnlyInTheirWindow() {
        long[] step = TraceFiles.open("step:rate=50,factor=4,at=10,until=20,duration=30,seed=1").perSecond();
        long[] spike = TraceFiles.open("spike:rate=50,factor=10,at=5,length=2,duration=10,seed=1").perSecond();

        assertThat(sum(step, 10, 20) / 10.0).isCloseTo(200, within(20.0));
        assertThat(sum(step, 0, 10) / 10.0).isCloseTo(50, within(10.0));
        assertThat(sum(spike, 5, 7) / 2.0).isCloseTo(500, within(60.0));
    }

    @Test
    void aBadSyntheticSpecNamesTheKey() {
        assertThatThrownBy(() -> TraceFiles.open("gamma:rate=100,duration=10")).hasMessageContaining("cv2");
        assertThatThrownBy(() -> TraceFiles.open("poisson:rate=fast,duration=10")).hasMessageContaining("rate")
                .hasMessageContaining("expected a number");
        assertThatThrownBy(() -> TraceFiles.open("poisson:rate=1,duration=10,burst=2")).hasMessageContaining("burst");
    }

    private static long sum(long[] a, int from, int to) {
        long s = 0;
        for (int i = from; i < to; i++) {
            s += a[i];
        }
        return s;
    }
}
