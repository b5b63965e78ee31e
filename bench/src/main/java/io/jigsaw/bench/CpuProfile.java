package io.jigsaw.bench;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where this JVM's CPU goes, from Java Flight Recorder's execution samples (threads running Java code,
 * every 10 ms): per thread (a Flink task thread is named after its operator chain) and per library, a
 * sample going to the innermost frame outside the JDK (so {@code System.arraycopy} called by Avro is
 * Avro's). Native time outside Java (epoll, TensorFlow) is not sampled; shares are of what was.
 */
final class CpuProfile {

    /** Library of a stack, by the package of its innermost non-JDK frame; first prefix that matches wins. */
    private static final Map<String, String> LIBRARIES = new LinkedHashMap<>();

    static {
        LIBRARIES.put("org.apache.flink.connector.kafka", "Flink Kafka connector");
        LIBRARIES.put("org.apache.kafka", "Kafka clients");
        LIBRARIES.put("org.apache.avro", "Avro (decode/encode)");
        LIBRARIES.put("org.apache.flink.api", "Flink serialization (type serializers)");
        LIBRARIES.put("com.esotericsoftware", "Flink serialization (Kryo)");
        LIBRARIES.put("org.apache.flink.core.memory", "Flink serialization (memory segments)");
        LIBRARIES.put("org.apache.flink.runtime.io", "Flink network and record I/O");
        LIBRARIES.put("org.apache.flink.shaded.netty", "Flink network and record I/O");
        LIBRARIES.put("org.apache.flink.runtime.state", "Flink keyed state and checkpoints");
        LIBRARIES.put("org.apache.flink.runtime.checkpoint", "Flink keyed state and checkpoints");
        LIBRARIES.put("org.apache.flink.streaming.runtime.tasks", "Flink task loop (mailbox, timers)");
        LIBRARIES.put("org.apache.flink.runtime.metrics", "Flink metrics");
        LIBRARIES.put("org.apache.flink.metrics", "Flink metrics");
        LIBRARIES.put("org.apache.flink", "Flink (other)");
        LIBRARIES.put("io.jigsaw.operators", "Jigsaw operators");
        LIBRARIES.put("io.jigsaw.core", "Jigsaw operators");
        LIBRARIES.put("io.jigsaw.bench", "benchmark harness (result reader)");
        LIBRARIES.put("io.jigsaw.job", "benchmark harness (result reader)");
        LIBRARIES.put("org.apache.logging", "logging");
        LIBRARIES.put("org.slf4j", "logging");
    }

    private final Recording recording;

    private CpuProfile(Recording recording) {
        this.recording = recording;
    }

    static CpuProfile start() {
        Recording r = new Recording();
        r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
        r.start();
        return new CpuProfile(r);
    }

    /**
     * @param cpuMsPerRequest this JVM's CPU per request over the recording, to turn shares into milliseconds
     */
    void stopAndPrint(Path file, double cpuMsPerRequest, PrintStream out) throws IOException {
        recording.stop();
        recording.dump(file);
        recording.close();
        Map<String, Integer> byLibrary = new HashMap<>();
        Map<String, Integer> byThread = new HashMap<>();
        Map<String, Integer> byMethod = new HashMap<>();
        int total = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                continue;
            }
            total++;
            RecordedStackTrace stack = e.getStackTrace();
            byLibrary.merge(library(stack.getFrames()), 1, Integer::sum);
            byThread.merge(threadGroup(e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName()),
                    1, Integer::sum);
            if (!stack.getFrames().isEmpty()) {
                RecordedFrame top = stack.getFrames().get(0);
                byMethod.merge(top.getMethod().getType().getName() + "." + top.getMethod().getName(), 1, Integer::sum);
            }
        }
        out.printf("where the job's JVM CPU went (JFR execution samples: %d, Java code only; ms = share x %.3f ms CPU/request of "
                + "this JVM):%n", total, cpuMsPerRequest);
        print("by library (innermost non-JDK frame)", byLibrary, total, cpuMsPerRequest, 20, out);
        print("by thread (Flink task threads are named after their operator chain)", byThread, total, cpuMsPerRequest, 14, out);
        print("hottest methods (top frame)", byMethod, total, cpuMsPerRequest, 12, out);
        out.println("  (recording: " + file + "; `jfr print --events jdk.ExecutionSample` reads it)");
    }

    private static void print(String title, Map<String, Integer> counts, int total, double msPerRequest, int limit, PrintStream out) {
        out.println("  " + title + ":");
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(limit)
                .forEach(e -> out.printf("    %5.1f %%  %6.3f ms/request  %s%n", 100.0 * e.getValue() / total,
                        msPerRequest * e.getValue() / total, e.getKey()));
    }

    static String library(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String type = f.getMethod().getType().getName();
            if (jdk(type)) {
                continue;
            }
            for (Map.Entry<String, String> lib : LIBRARIES.entrySet()) {
                if (type.startsWith(lib.getKey())) {
                    return lib.getValue();
                }
            }
            return "other: " + type.substring(0, Math.max(0, type.lastIndexOf('.')));
        }
        return "JDK only (no library frame)";
    }

    private static boolean jdk(String type) {
        return type.startsWith("java.") || type.startsWith("javax.") || type.startsWith("jdk.") || type.startsWith("sun.")
                || type.startsWith("com.sun.");
    }

    /** "detect (1/1)#0" → "detect"; "kafka-producer-network-thread | producer-3" → "kafka-producer-network-thread". */
    static String threadGroup(String name) {
        String n = name.replaceAll(" \\(\\d+/\\d+\\)#\\d+$", "").replaceAll(" \\| .*$", "");
        return n.replaceAll("[-#]?\\d+$", "");
    }
}
