package io.jigsaw.job.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** What a user meets before any work starts: every --help renders clean, and a bad value is one error line. */
public class JigsawCliTest {

    /** Every command below {@code jigsaw}, depth first, as it is typed ("cluster start"). */
    static List<CommandLine> commands() {
        List<CommandLine> all = new ArrayList<>();
        collect(JigsawCli.configure(new CommandLine(new JigsawCli())), all);
        return all;
    }

    private static void collect(CommandLine cmd, List<CommandLine> into) {
        into.add(cmd);
        cmd.getSubcommands().values().stream().distinct().forEach(sub -> collect(sub, into));
    }

    static Stream<CommandLine> commandsWithOptions() {
        return commands().stream().filter(c -> c.getCommandSpec().parent() != null && !c.getCommandName().equals("help"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void everyHelpRendersWithoutAPicocliWarning(CommandLine cmd) {
        PrintStream stderr = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        StringWriter usage = new StringWriter();
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        try {
            cmd.usage(new PrintWriter(usage));
        } finally {
            System.setErr(stderr);
        }
        assertThat(warnings.toString(StandardCharsets.UTF_8)).as("picocli's warnings while rendering").isEmpty();
        assertThat(usage.toString()).contains("Usage: jigsaw").doesNotContain("%n");
    }

    @Test
    void theCommandListGivesEachCommandASummaryThatStandsAlone() {
        CommandLine root = JigsawCli.configure(new CommandLine(new JigsawCli()));
        String help = root.getUsageMessage();
        root.getSubcommands().forEach((name, sub) -> {
            String[] header = sub.getCommandSpec().usageMessage().header();
            String summary = header.length > 0 ? header[0] : sub.getCommandSpec().usageMessage().description()[0];
            assertThat(summary).as(name + "'s summary").endsWith(".");
            assertThat(help.lines()).as("jigsaw --help lists " + name + "'s summary on one line").anyMatch(l -> l.endsWith(summary));
        });
    }

    /** Each numeric option of each command with a value outside its range (options without a range: the seeds, any long). */
    static Stream<String[]> outOfRangeValues() {
        List<String[]> cases = new ArrayList<>();
        commandsWithOptions().forEach(cmd -> {
            for (OptionSpec o : cmd.getCommandSpec().options()) {
                OptionBounds.of(o).ifPresent(b -> cases.add(new String[] {qualified(cmd), o.longestName(), outside(o, b)}));
            }
        });
        return cases.stream();
    }

    @Test
    void everyNumericOptionHasARangeButTheSeeds() {
        commandsWithOptions().forEach(cmd -> {
            for (OptionSpec o : cmd.getCommandSpec().options()) {
                Class<?> type = o.type();
                boolean numeric = Number.class.isAssignableFrom(type) || type.isPrimitive() && type != boolean.class
                        || type == java.time.Duration.class
                        || Collection.class.isAssignableFrom(type) && Stream.of(o.auxiliaryTypes()).anyMatch(Number.class::isAssignableFrom);
                if (numeric && !o.longestName().equals("--seed")) {
                    assertThat(OptionBounds.of(o)).as(qualified(cmd) + " " + o.longestName() + " declares its range").isPresent();
                }
            }
        });
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("outOfRangeValues")
    void anOutOfRangeValueIsOneErrorLineAndExitCode2(String command, String option, String value) {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.addAll(List.of(option, value));
        args.addAll(requiredOptionsBut(command, option));

        Run run = run(args.toArray(String[]::new));

        assertThat(run.code).as(run.err).isEqualTo(2);
        assertThat(run.err.lines().toList()).as("stderr").hasSize(1).first().asString()
                .startsWith("error: " + option + ": expected ").contains("found " + value);
        assertThat(run.out).isEmpty();
    }

    @Test
    void aDemoWhoseCommitWaitLeavesTheGraphNoTimeIsRefusedBeforeAnythingStarts(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        // Exactly-once results wait for the next checkpoint: 2 s of it, and the 400 ms SLO has nothing left.
        Run run = run("demo", "--graph", demoGraphWithBuiltModels(dir).toString(), "--delivery", "exactly_once",
                "--checkpoint-interval", "2000", "--web-port", "0");

        assertThat(run.code).as(run.err).isEqualTo(2);
        assertThat(run.err.lines().toList()).as("stderr").hasSize(1).first().asString().startsWith("error: ")
                .contains("leaves nothing for the graph", "checkpoint interval 2000 ms", "--checkpoint-interval");
        assertThat(run.out).isEmpty();
    }

    @Test
    void aCandidatePlanIsSimulatedAsWrittenWithTheJobsTerms(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path graph = demoGraphWithBuiltModels(dir);
        Path plan = Path.of(System.getProperty("jigsaw.examples.dir", "../examples"), "xr-scene/plan.json");

        Run run = run("simulate", "--graph", graph.toString(), "--gpus", "1", "--plan", plan.toString(), "--json", "--trace",
                "poisson:rate=20,duration=5,seed=1");

        assertThat(run.code).as(run.err).isZero();
        String json = run.out.lines().reduce((a, b) -> b).orElseThrow();
        assertThat(json).contains("\"plans_applied\":1", "\"planner\":\"static " + plan, "\"simulation\":true");
        assertThat(run.out).contains("job terms simulated: thread budget and 2 shared cores", "ms per batch beyond the profile",
                "plan: static v1 from " + plan);
    }

    @Test
    void aTimesP99BelowItsMedianIsOneErrorLine(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Run run = run("simulate", "--graph", demoGraphWithBuiltModels(dir).toString(), "--trace", "poisson:rate=5,duration=2,seed=1",
                "--hop-ms", "5", "--hop-p99-ms", "2");

        assertThat(run.code).isEqualTo(2);
        assertThat(run.err.lines().toList()).as("stderr").hasSize(1).first().asString()
                .startsWith("error: ").contains("--hop-p99-ms (2.0) must be at least --hop-ms (5.0)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commandsWithOptions")
    void everyCommandAnswersHelpAtOnceWhateverItsDefaults(CommandLine cmd) {
        List<String> args = new ArrayList<>(List.of(cmd.getCommandSpec().qualifiedName().split(" ")).subList(1,
                cmd.getCommandSpec().qualifiedName().split(" ").length));
        args.add("--help");
        Run run = run(args.toArray(String[]::new));

        assertThat(run.code).as(run.err).isZero();
        assertThat(run.out).contains("Usage: jigsaw");
        assertThat(run.err).isEmpty();
    }

    @Test
    void theRangeIsStatedInTheOptionsHelp() {
        Run run = run("capacity", "--help");

        assertThat(run.out).contains("--gpus=<gpus>").contains("Valid: a whole number ≥ 1.")
                .contains("Valid: a number > 0 and ≤ 1.").contains("Valid: a whole number from 1 to 100.");
    }

    /** The demo graph served by the models the build made (not whatever an earlier demo left in .jigsaw/). */
    static Path demoGraphWithBuiltModels(Path dir) throws java.io.IOException {
        Path demo = Path.of(System.getProperty("jigsaw.examples.dir", "../examples"), "xr-scene/graph.yaml");
        java.nio.file.Files.copy(demo.resolveSibling("profile-cpu-2t.csv"), dir.resolve("profile-cpu-2t.csv"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return java.nio.file.Files.writeString(dir.resolve("graph.yaml"), java.nio.file.Files.readString(demo)
                .replace("models_dir: ../../.jigsaw/models/xr-scene", "models_dir: " + System.getProperty("jigsaw.demo.models.dir")));
    }

    @Test
    void aDomainRejectionIsOneErrorLineNotAStackTrace(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path graph = demoGraphWithBuiltModels(dir);

        Run run = run("plan", "--graph", graph.toString(), "--demand", "5", "--share-step", "7");

        assertThat(run.code).isEqualTo(2);
        assertThat(run.err.lines().toList()).containsExactly("error: share step must divide 100, found 7");
    }

    @Test
    void anUnknownAdaptationIsOneErrorLineNamingTheChoices(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path graph = demoGraphWithBuiltModels(dir);

        Run run = run("plan", "--graph", graph.toString(), "--demand", "5", "--adapt", "sometimes");

        assertThat(run.code).isEqualTo(2);
        assertThat(run.err).contains("expected none, ladder, cascade or both, found 'sometimes'");
    }

    @Test
    void clusterManifestsWritesOneDeploymentPerPartitionAndACpuTaskManagerForAPlanItChecksFirst() {
        Path examples = Path.of(System.getProperty("jigsaw.examples.dir", "../examples"));

        Run run = run("cluster", "manifests", "--plan", examples.resolve("xr-scene/plan.json").toString(), "--graph",
                examples.resolve("xr-scene/graph.yaml").toString());

        assertThat(run.code).as(run.err).isZero();
        assertThat(run.out.split("kind: Deployment", -1)).hasSize(6);
        assertThat(run.out).contains("name: jigsaw-tm-io", "name: jigsaw-tm-detect-0-gpu0-40pct", "-Djigsaw.partition.share=40.0",
                "value: \"40\"");
        Run missing = run("cluster", "manifests", "--plan", "no-such-plan.json");
        assertThat(missing.code).isEqualTo(2);
        assertThat(missing.err).contains("no-such-plan.json").contains("no such plan file");
    }

    @Test
    void aDemoServingAPlanFileRefusesAdaptThatOnlyTheSidecarsPlansGet() throws Exception {
        Path plan = Path.of(System.getProperty("jigsaw.examples.dir", "../examples"), "xr-scene/plan.json");

        Run run = run("demo", "--plan", plan.toString(), "--adapt", "ladder", "--web-port", "0");

        assertThat(run.code).isEqualTo(2);
        assertThat(run.err).contains("--adapt adds adaptation to the sidecar's plans").contains("plan --adapt ladder --out FILE");
    }

    @Test
    void aPlanWithALadderWritesEveryProfiledVariantMostAccurateFirstAndReadsBackValid(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path graph = demoGraphWithBuiltModels(dir);
        Path out = dir.resolve("plan.json");

        Run run = run("plan", "--graph", graph.toString(), "--demand", "20", "--gpus", "1", "--adapt", "ladder", "--out", out.toString());

        assertThat(run.code).as(run.err).isZero();
        io.jigsaw.core.graph.Graph g = io.jigsaw.core.graph.GraphLoader.load(graph);
        io.jigsaw.core.plan.Plan plan = io.jigsaw.core.plan.PlanValidator.requireValid(io.jigsaw.core.plan.PlanFile.read(out), g, out);
        assertThat(plan.task("detect").orElseThrow().adaptation().ladder()).extracting(io.jigsaw.core.plan.Adaptation.Rung::variant)
                .containsExactly("detect-l", "detect-m", "detect-s");
        assertThat(plan.note()).contains("ladder on detect");
    }

    @Test
    void aModelThatDoesNotTakeWhatTheGraphFeedsItStopsPlanWithOneErrorLine(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        // The demo graph with smaller crops for classify, served by a model of one's own built for 32x32 crops
        // (no recipe: nothing would rebuild it).
        Path graph = demoGraphWithBuiltModels(dir);
        java.nio.file.Files.writeString(graph, java.nio.file.Files.readString(graph)
                .replaceFirst("max: 8, size: \\[32, 32\\]", "max: 8, size: [16, 16]")
                .replaceFirst("model: classify-s, recipe: \\{[^}]*\\}", "model: classify-s, accuracy: 0.4"));

        Run run = run("plan", "--graph", graph.toString(), "--demand", "5");

        assertThat(run.code).isEqualTo(2);
        assertThat(run.err.lines().toList()).singleElement().asString()
                .contains(graph.toString()).contains("task classify, variant classify-s, tensor input")
                .contains("expected [16, 16, 3] float32 (crops of detect's input at 16x16), found [32, 32, 3] float32");
    }

    @Test
    void debugShowsTheStackTrace(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path graph = demoGraphWithBuiltModels(dir);

        Run run = run("plan", "--graph", graph.toString(), "--demand", "5", "--share-step", "7", "--debug");

        assertThat(run.code).isEqualTo(2);
        assertThat(run.err).startsWith("error: share step must divide 100, found 7").contains("\tat io.jigsaw.");
    }

    @Test
    void capacityOnACpuProfileKeepsTheFrameworksIdleAndPerRequestCpuFree(@TempDir Path dir) throws Exception {
        Path graph = demoGraphWithBuiltModels(dir);
        String idle = OtherLokiAppTest.stdout(() -> assertThat(run("capacity", "--graph", graph.toString(), "--gpus", "1",
                "--framework-idle-cores", "0.5", "--framework-cpu-ms", "2", "--time-limit", "PT2S").code()).isZero());
        String busy = OtherLokiAppTest.stdout(() -> assertThat(run("capacity", "--graph", graph.toString(), "--gpus", "1",
                "--framework-idle-cores", "1.5", "--framework-cpu-ms", "2", "--time-limit", "PT2S").code()).isZero());

        // 0.5 of the profile's 2 threads: 25 % of the device; 2 ms per request: 0.1 % per req/s.
        assertThat(idle).contains("0.50 idle cores and 2.00 CPU ms per request kept free").contains("25.0 % of each device, and 0.100 % per req/s");
        assertThat(capacityOf(busy)).as("three quarters of the device kept idle leave less to serve with").isLessThan(capacityOf(idle));
        assertThat(run("capacity", "--framework-idle-cores", "-1").code).isEqualTo(2);
    }

    @Test
    void profileDeriveFromWritesThePartitionRowsThePlannerWouldDerive(@TempDir Path dir) throws Exception {
        // resnet50's whole A100 (7g, one process) at batch 1, 8 and 32, from ParvaGPU's measurements.
        Path whole = java.nio.file.Files.writeString(dir.resolve("whole.csv"), String.join("\n",
                io.jigsaw.planner.profile.ProfileCsv.HEADER,
                "resnet50,a100,100,1,5.1087,5.2620,measured",
                "resnet50,a100,100,8,5.0010,5.1510,measured",
                "resnet50,a100,100,32,13.3512,13.7517,measured") + "\n");
        Path out = dir.resolve("derived.csv");

        Run run = run("profile", "--derive-from", whole.toString(), "--out", out.toString(), "--mig", "--partition-model", "COMPUTE");

        assertThat(run.code()).as(run.err()).isZero();
        List<io.jigsaw.planner.profile.ProfileRow> rows = io.jigsaw.planner.profile.ProfileCsv.read(out);
        // Three measured rows kept, and each batch on 1g, 2g, 3g and 4g derived.
        assertThat(rows).hasSize(3 + 3 * 4);
        assertThat(rows.stream().filter(io.jigsaw.planner.profile.ProfileRow::derived)).hasSize(12)
                .allSatisfy(r -> assertThat(io.jigsaw.planner.profile.MigGeometry.sizeOf(r.share())).isBetween(1, 4));
        // Batch 8 is the first compute-bound one (32 costs 2.7x): on 1g it takes 0.92 x 5.001 x 7 ms.
        io.jigsaw.planner.profile.ProfileRow oneG = rows.stream().filter(r -> r.derived() && r.batch() == 8
                && io.jigsaw.planner.profile.MigGeometry.sizeOf(r.share()) == 1).findFirst().orElseThrow();
        assertThat(oneG.p50Ms()).isCloseTo(io.jigsaw.planner.profile.PartitionModel.SLICE_EFFICIENCY * 5.001 * 7,
                org.assertj.core.api.Assertions.within(1e-3));
        assertThat(run.err()).isEmpty();

        Path none = java.nio.file.Files.writeString(dir.resolve("slices.csv"), io.jigsaw.planner.profile.ProfileCsv.HEADER
                + "\nresnet50,a100,50,1,5.1,5.2,measured\n");
        Run refused = run("profile", "--derive-from", none.toString(), "--out", dir.resolve("x.csv").toString());
        assertThat(refused.code()).isNotZero();
        assertThat(refused.err()).contains(none.toString()).contains("no whole-GPU row");
    }

    @Test
    void planOnTheA100AppRestsOnMeasuredSlicesInValidMigLayouts() throws Exception {
        Path graph = Path.of(System.getProperty("jigsaw.examples.dir"), "a100-vision", "graph.yaml");
        String out = OtherLokiAppTest.stdout(() -> assertThat(run("plan", "--graph", graph.toString(), "--mig", "--gpus", "8",
                "--demand", "1000", "--time-limit", "PT2S").code()).isZero());

        assertThat(out).contains("FEASIBLE").contains("device a100-80gb-mig")
                .contains("measured rows").contains("0 derived").contains("GPU 0 MIG layout: ")
                .doesNotContain("DERIVED");
    }

    /** The jigsaw policy's capacity from `capacity`'s table. */
    private static double capacityOf(String out) {
        return out.lines().filter(l -> l.startsWith("jigsaw ")).map(l -> Double.parseDouble(l.trim().split("\\s+")[1])).findFirst()
                .orElseThrow(() -> new AssertionError("no jigsaw row in: " + out));
    }

    @Test
    void anUnknownOptionIsOneLineThatPointsAtTheHelp() {
        Run run = run("capacity", "--gpu", "4");

        assertThat(run.code).isEqualTo(2);
        assertThat(run.err.lines().toList()).hasSize(1).first().asString().startsWith("error: Unknown option")
                .endsWith("(see 'jigsaw capacity --help')");
    }

    private static String qualified(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName(" ").replaceFirst("^jigsaw ", "");
    }

    /** Just past the range: below an inclusive minimum, at an exclusive one, or above the maximum. */
    private static String outside(OptionSpec o, Bounds b) {
        double x = b.min() == Double.NEGATIVE_INFINITY ? b.max() + 1 : b.minExclusive() ? b.min() : b.min() - 1;
        if (o.type() == java.time.Duration.class) {
            return "PT" + (long) x + "S";
        }
        boolean whole = Stream.of(o.type()).anyMatch(t -> t == int.class || t == long.class || t == Integer.class || t == Long.class)
                || Stream.of(o.auxiliaryTypes()).anyMatch(t -> t == Integer.class || t == Long.class);
        return whole ? String.valueOf((long) x) : String.valueOf(x).replaceAll("\\.0$", "");
    }

    /** Placeholder values for the command's required options: the range check comes before any of them is used. */
    private static List<String> requiredOptionsBut(String command, String option) {
        CommandSpec spec = JigsawCli.configure(new CommandLine(new JigsawCli())).getCommandSpec();
        for (String name : command.split(" ")) {
            spec = spec.subcommands().get(name).getCommandSpec();
        }
        List<String> args = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (o.required() && !o.longestName().equals(option)) {
                args.addAll(List.of(o.longestName(), Number.class.isAssignableFrom(o.type()) || o.type().isPrimitive() ? "1" : "x"));
            }
        }
        return args;
    }

    /** What one command line gave: its exit code and what it printed on each stream. */
    public record Run(int code, String out, String err) {
    }

    /** Runs {@code bin/jigsaw <args>} in this JVM, capturing what it prints through picocli. */
    public static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = JigsawCli.configure(new CommandLine(new JigsawCli()));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
