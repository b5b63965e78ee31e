package io.jigsaw.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Does the simulator tell the truth? The same traces served by the real job ({@code bin/jigsaw demo}:
 * MiniCluster, real broker, DJL models, the sidecar re-planning) and simulated ({@code bin/jigsaw simulate}
 * with the job's terms, from a calibration run of the demo that this prints), side by side: SLO
 * attainment as the client reads it, goodput, p50/p99, drops. Each run is its own process, run one
 * after the other, so that neither shares the cores with the other.
 *
 * <p>Goal (issue 32): attainment within 3 points, goodput within 10 %, p50 and p99 within 25 %.
 */
public final class FidelityBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FidelityBench() {
    }

    private record Side(double attainment, double goodputRps, double p50Ms, double p99Ms, long dropped) {
    }

    public static void main(String[] args) throws Exception {
        BenchArgs a = new BenchArgs(args);
        Path home = Path.of(a.get("--home", ".")).toAbsolutePath().normalize();
        Path work = Files.createDirectories(Path.of(a.get("--work", "bench/target/fidelity")));
        int seconds = Integer.parseInt(a.get("--seconds", "30"));
        long timeoutS = seconds + 240L;

        System.out.println("# Simulator vs the real job (demo graph, 1 \"GPU\" = this machine's cores, sidecar re-planning in both)");
        System.out.println("calibration: bin/jigsaw demo --json --trace poisson:rate=30,duration=20,seed=7");
        JsonNode cal = run(home, work.resolve("calibration"), timeoutS, "demo", "--web-port", "0", "--json", "--trace",
                "poisson:rate=30,duration=20,seed=7");
        double cpuMs = cal.path("cpu_ms_per_request").asDouble();
        double hopMs = cal.path("framework_per_hop_p50_ms").asDouble();
        double deliveryMs = cal.path("result_visible_p50_ms").asDouble();
        int cores = Runtime.getRuntime().availableProcessors();
        // DERIVED: the request rate at which the job's measured CPU per request fills the machine's cores.
        double capacity = cores * 1000 / cpuMs;
        System.out.printf(Locale.ROOT, "calibrated: %.1f CPU ms per request (the whole demo process tree, models included), "
                + "%.2f ms per hop (p50), %.0f ms delivery (p50); capacity DERIVED from them: %d cores / %.1f ms = %.0f req/s%n",
                cpuMs, hopMs, deliveryMs, cores, cpuMs, capacity);

        List<String[]> traces = List.of(
                new String[] {"steady 50 %", String.format(Locale.ROOT, "poisson:rate=%.0f,duration=%d,seed=1", 0.5 * capacity, seconds)},
                new String[] {"steady 90 %", String.format(Locale.ROOT, "poisson:rate=%.0f,duration=%d,seed=1", 0.9 * capacity, seconds)},
                new String[] {"README spike", "step:rate=60,factor=4,at=15,until=25,duration=40,seed=1"},
                new String[] {"gamma CV² 4", String.format(Locale.ROOT, "gamma:rate=%.0f,cv2=4,duration=%d,seed=1", 0.5 * capacity, seconds)},
                new String[] {"overload 1.5×", String.format(Locale.ROOT, "poisson:rate=%.0f,duration=%d,seed=1", 1.5 * capacity, seconds)});
        List<String> rows = new ArrayList<>();
        for (String[] t : traces) {
            String name = t[0].replaceAll("[^a-z0-9]+", "-");
            Side job = job(run(home, work.resolve(name + "-job"), timeoutS, "demo", "--web-port", "0", "--json", "--trace", t[1]));
            Side sim = sim(run(home, work.resolve(name + "-sim"), timeoutS, "simulate", "--gpus", "1", "--json", "--trace", t[1],
                    "--job-cpu-ms", fmt(cpuMs), "--job-idle-cores", "0", "--hop-ms", fmt(hopMs), "--delivery-ms", fmt(deliveryMs)));
            Side models = sim(run(home, work.resolve(name + "-models"), timeoutS, "simulate", "--gpus", "1", "--json", "--trace", t[1],
                    "--models-only"));
            String row = String.format(Locale.ROOT, "| %s `%s` | %.3f / %.3f / %.3f (%+.1f pt) | %.1f / %.1f (%+.0f %%) | %.0f / %.0f (%+.0f %%) | "
                    + "%.0f / %.0f (%+.0f %%) | %d / %d |", t[0], t[1], job.attainment(), sim.attainment(), models.attainment(),
                    100 * (sim.attainment() - job.attainment()), job.goodputRps(), sim.goodputRps(), pct(sim.goodputRps(), job.goodputRps()),
                    job.p50Ms(), sim.p50Ms(), pct(sim.p50Ms(), job.p50Ms()), job.p99Ms(), sim.p99Ms(), pct(sim.p99Ms(), job.p99Ms()),
                    job.dropped(), sim.dropped());
            rows.add(row);
            System.out.println(row);
        }
        System.out.println();
        System.out.println("| trace | SLO attainment job / SIMULATION / SIMULATION models only (sim − job) | goodput req/s job / SIM "
                + "| p50 ms job / SIM | p99 ms job / SIM | dropped job / SIM |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        rows.forEach(System.out::println);
    }

    private static Side job(JsonNode d) {
        return new Side(d.path("slo_attainment_visible").asDouble(), d.path("goodput_rps").asDouble(), d.path("visible_p50_ms").asDouble(),
                d.path("visible_p99_ms").asDouble(), d.path("dropped").asLong());
    }

    private static Side sim(JsonNode d) {
        return new Side(1 - d.path("slo_violation_pct").asDouble() / 100, d.path("goodput_rps").asDouble(), d.path("p50_ms").asDouble(),
                d.path("p99_ms").asDouble(), d.path("dropped").asLong());
    }

    private static double pct(double sim, double job) {
        return job == 0 ? Double.NaN : 100 * (sim - job) / job;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** Runs {@code bin/jigsaw ARGS} in its own process, its output in {@code base}.out/.err; its last stdout line is its JSON. */
    private static JsonNode run(Path home, Path base, long timeoutS, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(home.resolve("bin/jigsaw").toString());
        cmd.addAll(List.of(args));
        Path out = base.resolveSibling(base.getFileName() + ".out");
        Path err = base.resolveSibling(base.getFileName() + ".err");
        Process p = new ProcessBuilder(cmd).directory(home.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish within " + timeoutS + " s; see " + err);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "); see " + err);
        }
        List<String> lines = Files.readAllLines(out);
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith("{")) {
                return JSON.readTree(lines.get(i));
            }
        }
        throw new IllegalStateException(String.join(" ", cmd) + " printed no JSON; see " + out);
    }
}
