package io.jigsaw.job.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * What `mvn package` leaves in job/target for a cluster: the job jar and the cluster's own classpath.
 * The tests point at them with system properties (jigsaw.job.jar, jigsaw.cluster.classpath).
 */
public final class BuildOutputs {

    private BuildOutputs() {
    }

    public static Path jobJar(Path home) {
        Path jar = Path.of(System.getProperty("jigsaw.job.jar", home.resolve("job/target/jigsaw-flink-job.jar").toString()));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no job jar at " + jar + ": build it with ./mvnw -DskipTests package");
        }
        return jar;
    }

    public static List<String> clusterClasspath(Path home) throws IOException {
        Path file = Path.of(System.getProperty("jigsaw.cluster.classpath", home.resolve("job/target/cluster-classpath.txt").toString()));
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("no cluster classpath at " + file + ": build it with ./mvnw -DskipTests package");
        }
        return Arrays.stream(Files.readString(file).trim().split(java.io.File.pathSeparator)).filter(e -> !e.isBlank()).toList();
    }
}
