package io.jigsaw.job.cli;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.client.Frames;
import io.jigsaw.core.image.Pictures;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.schemas.Request;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

@Command(name = "send", mixinStandardHelpOptions = true,
        header = "Publishes pictures as requests: one request id per picture.",
        description = "Publishes each picture (JPEG or PNG at any size; a directory's pictures in name order) to the requests topic "
                + "as one Request carrying the encoded file, which the job decodes and stretches to the graph's input frame "
                + "(float32 RGB in 0..1); with --raw it is decoded here and sent as that tensor (also BMP, GIF). Prints "
                + "'<file> <request id>'. A file that is not a picture is reported and the others are still sent (exit 1 then). "
                + "Read the answers with `bin/jigsaw results --request-id ID`.")
final class SendCommand implements Callable<Integer> {

    @Mixin
    KafkaClientOption kafka;

    @Mixin
    GraphFileOption graphFile;

    @Mixin
    TopicOption topic;

    @Option(names = "--id-prefix", defaultValue = "send-", description = "Request ids are this + the file's name + the time sent "
            + "(default: ${DEFAULT-VALUE}).")
    String idPrefix;

    @Option(names = "--raw", description = "Send each picture decoded here, as the graph's input tensor (float32, stretched to its"
            + " size, RGB in 0..1), instead of the encoded file for the job to decode; needed for BMP and GIF.")
    boolean raw;

    @Parameters(arity = "1..*", paramLabel = "PICTURE|DIR", description = "Pictures (JPEG, PNG; any size), or directories of pictures.")
    List<Path> inputs;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Graph graph = GraphLoader.load(graphFile.orDemo());
        TensorSpec input = graph.input().orElseThrow(() -> new IllegalArgumentException("graph " + graph.name()
                + " has no input spec (input: {shape, dtype}): pictures cannot be made into its frames"));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String to = topic.orJobs(JigsawOptions.TOPIC_REQUESTS);
        int failed = 0;
        try (AvroProducer producer = new AvroProducer(kafka.connection()).named("send@" + host())) {
            // A request's clock starts when it is sent: connect first, as a long-running producer would be.
            producer.connect(to);
            for (Path file : files(err)) {
                long now = System.currentTimeMillis();
                String id = idPrefix + stem(file) + "-" + now;
                Request request;
                try {
                    if (raw) {
                        request = Frames.builder(id, graph.name(), input, now, 0, Pictures.read(file, input)).build();
                    } else {
                        Map.Entry<String, byte[]> picture = Pictures.encoded(file);
                        request = Frames.encoded(id, graph.name(), now, 0, picture.getKey(), picture.getValue()).build();
                    }
                } catch (IOException e) {
                    err.println("error: " + e.getMessage());
                    failed++;
                    continue;
                }
                producer.send(to, id, request).get(60, TimeUnit.SECONDS);
                out.println(file + " " + id);
            }
        }
        return failed == 0 ? 0 : 1;
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private List<Path> files(PrintWriter err) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> listed = Files.list(p)) {
                    listed.filter(Files::isRegularFile).sorted().forEach(out::add);
                }
            } else if (Files.exists(p)) {
                out.add(p);
            } else {
                throw new IllegalArgumentException(p + ": no such file or directory");
            }
        }
        return out;
    }

    private static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return (dot > 0 ? n.substring(0, dot) : n).replaceAll("[^A-Za-z0-9_.-]", "_");
    }
}
