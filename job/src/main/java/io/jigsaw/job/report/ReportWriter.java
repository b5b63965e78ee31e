package io.jigsaw.job.report;

import io.jigsaw.planner.sim.SimulationResult;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Writes a report as a self-contained folder: {@code index.html} with PNG plots (XChart) and the
 * tables behind them. Simulated figures are labelled SIMULATION; results resting on derived
 * partition rows say so.
 */
public final class ReportWriter {

    private static final int WIDTH = 760;
    private static final int HEIGHT = 420;
    /** Seconds per point of the time-series plots: per-second counts are too noisy to read. */
    private static final int BUCKET_S = 10;

    /** One colour per policy in every chart, so a reader matches lines across plots. */
    private static final java.util.Map<String, java.awt.Color> COLOURS = java.util.Map.of(
            "jigsaw", new java.awt.Color(0xD62728), "no-accuracy-scaling", new java.awt.Color(0xFF7F0E),
            "no-partitioning", new java.awt.Color(0x9467BD), "even-budget", new java.awt.Color(0x2CA02C),
            "loki", new java.awt.Color(0x1F77B4), "loki-published", new java.awt.Color(0x17BECF), "arrivals", new java.awt.Color(0x555555));

    private ReportWriter() {
    }

    private static void colour(XYSeries series, String name) {
        java.awt.Color c = COLOURS.get(name);
        if (c != null) {
            series.setLineColor(c);
            series.setMarkerColor(c);
        }
    }

    /** @return the HTML file */
    public static Path write(Report report, Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder html = new StringBuilder();
        html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Jigsaw report: ").append(esc(report.graph()))
                .append("</title><style>body{font-family:sans-serif;max-width:900px;margin:2em auto}table{border-collapse:collapse}"
                        + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#eee}.note{color:#a40}</style></head><body>");
        html.append("<h1>Jigsaw report: ").append(esc(report.graph())).append("</h1>");
        html.append(String.format(Locale.ROOT, "<p>Device %s, latency SLO %.0f ms. ", esc(report.device()), report.latencySloMs()));
        if (report.derivedRows() > 0) {
            html.append("<span class=\"note\">The profile has ").append(report.derivedRows())
                    .append(" DERIVED partition rows (whole-GPU rows scaled by the partition model); results that rest on them are marked.</span>");
        } else {
            html.append("All profile rows are measured.");
        }
        html.append("</p>");
        capacitySection(report, dir, html);
        if (!report.latencySweep().isEmpty()) {
            latencySection(report, dir, html);
        }
        if (!report.simulations().isEmpty()) {
            simulationSection(report, dir, html);
        }
        if (!report.served().isEmpty()) {
            servedSection(report, dir, html);
        }
        html.append("</body></html>");
        Path index = dir.resolve("index.html");
        Files.writeString(index, html, StandardCharsets.UTF_8);
        return index;
    }

    private static void capacitySection(Report r, Path dir, StringBuilder html) throws IOException {
        html.append("<h2>Maximum serviceable demand</h2><p>Capacity search over demand per policy (the planner's model, not a run).</p>");
        TreeSet<Double> slos = new TreeSet<>();
        r.capacity().forEach(p -> slos.add(p.accuracySlo()));
        // Drawn in reverse so the first policy (jigsaw) is on top where lines coincide.
        List<String> policies = new ArrayList<>(r.capacity().stream().map(Report.CapacityPoint::policy).distinct().toList());
        java.util.Collections.reverse(policies);
        for (double slo : slos) {
            String name = String.format(Locale.ROOT, "capacity-a%.2f.png", slo);
            XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                    .title(String.format(Locale.ROOT, "%s: capacity at accuracy SLO %.2f", r.graph(), slo))
                    .xAxisTitle("GPUs").yAxisTitle("max root demand (req/s)").build();
            for (String policy : policies) {
                List<Report.CapacityPoint> pts = r.capacity().stream().filter(p -> p.accuracySlo() == slo && p.policy().equals(policy)).toList();
                XYSeries s = chart.addSeries(policy, pts.stream().mapToDouble(Report.CapacityPoint::gpus).toArray(),
                        pts.stream().mapToDouble(Report.CapacityPoint::capacityRps).toArray());
                s.setMarker(SeriesMarkers.CIRCLE);
                colour(s, policy);
            }
            BitmapEncoder.saveBitmap(chart, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
            html.append("<img src=\"").append(name).append("\" alt=\"capacity\">");
        }
        html.append("<table><tr><th>accuracy SLO</th><th>GPUs</th><th>policy</th><th>capacity req/s</th><th>vs loki</th>"
                + "<th>plan rests on derived rows</th><th>limited by</th></tr>");
        for (Report.CapacityPoint p : r.capacity()) {
            double loki = r.capacity().stream().filter(q -> q.accuracySlo() == p.accuracySlo() && q.gpus() == p.gpus()
                    && q.policy().equals("loki")).mapToDouble(Report.CapacityPoint::capacityRps).findFirst().orElse(0);
            html.append(String.format(Locale.ROOT, "<tr><td>%.2f</td><td>%d</td><td style=\"text-align:left\">%s</td><td>%.1f</td><td>%s</td>"
                            + "<td>%s</td><td style=\"text-align:left\">%s</td></tr>", p.accuracySlo(), p.gpus(), esc(p.policy()), p.capacityRps(),
                    loki > 0 ? String.format(Locale.ROOT, "%.2f&times;", p.capacityRps() / loki) : "-", p.usesDerivedRows() ? "yes" : "no",
                    esc(p.limitedBy())));
        }
        html.append("</table>");
    }

    /** Capacity per policy over latency SLOs (one plot per GPU count), and jigsaw / loki over latency SLO × GPUs. */
    private static void latencySection(Report r, Path dir, StringBuilder html) throws IOException {
        List<Report.LatencyPoint> pts = r.latencySweep();
        html.append(String.format(Locale.ROOT, "<h2>Capacity vs latency SLO</h2><p>Capacity search per policy at accuracy SLO %.2f "
                + "for each latency SLO (the planner's model, not a run). Which feature pays depends on the SLO: tight SLOs need graph "
                + "budgets and partitions, loose ones mostly accuracy scaling.</p>", pts.get(0).accuracySlo()));
        TreeSet<Integer> gpus = new TreeSet<>();
        pts.forEach(p -> gpus.add(p.gpus()));
        List<String> policies = new ArrayList<>(pts.stream().map(Report.LatencyPoint::policy).distinct().toList());
        java.util.Collections.reverse(policies);
        for (int g : gpus) {
            XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                    .title(String.format(Locale.ROOT, "%s: capacity vs latency SLO, %d GPU(s)", r.graph(), g))
                    .xAxisTitle("latency SLO (ms)").yAxisTitle("max root demand (req/s)").build();
            for (String policy : policies) {
                List<Report.LatencyPoint> line = pts.stream().filter(p -> p.gpus() == g && p.policy().equals(policy)).toList();
                XYSeries s = chart.addSeries(policy, line.stream().mapToDouble(Report.LatencyPoint::latencySloMs).toArray(),
                        line.stream().mapToDouble(Report.LatencyPoint::capacityRps).toArray());
                s.setMarker(SeriesMarkers.CIRCLE);
                colour(s, policy);
            }
            save(chart, dir, String.format(Locale.ROOT, "capacity-latency-g%d.png", g), html);
        }
        XYChart ratio = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(r.graph() + ": jigsaw / loki capacity vs latency SLO").xAxisTitle("latency SLO (ms)").yAxisTitle("jigsaw / loki").build();
        for (int g : gpus) {
            List<double[]> line = new ArrayList<>();
            for (Report.LatencyPoint j : pts) {
                if (j.gpus() == g && j.policy().equals("jigsaw")) {
                    double loki = capacityOf(pts, j.latencySloMs(), g, "loki");
                    if (loki > 0) {
                        line.add(new double[] {j.latencySloMs(), j.capacityRps() / loki});
                    }
                }
            }
            if (!line.isEmpty()) {
                XYSeries s = ratio.addSeries(g + " GPU(s)", line.stream().mapToDouble(x -> x[0]).toArray(), line.stream().mapToDouble(x -> x[1]).toArray());
                s.setMarker(SeriesMarkers.CIRCLE);
            }
        }
        if (!ratio.getSeriesMap().isEmpty()) {
            save(ratio, dir, "jigsaw-vs-loki-latency.png", html);
        }
        html.append("<table><tr><th>latency SLO ms</th><th>GPUs</th><th>policy</th><th>capacity req/s</th><th>vs loki</th>"
                + "<th>split tasks</th><th>plan rests on derived rows</th></tr>");
        for (Report.LatencyPoint p : pts) {
            double loki = capacityOf(pts, p.latencySloMs(), p.gpus(), "loki");
            html.append(String.format(Locale.ROOT, "<tr><td>%.0f</td><td>%d</td><td style=\"text-align:left\">%s</td><td>%.1f</td><td>%s</td>"
                    + "<td>%d</td><td>%s</td></tr>", p.latencySloMs(), p.gpus(), esc(p.policy()), p.capacityRps(),
                    loki > 0 ? String.format(Locale.ROOT, "%.2f&times;", p.capacityRps() / loki) : "-", p.splitTasks(), p.usesDerivedRows() ? "yes" : "no"));
        }
        html.append("</table>");
    }

    private static double capacityOf(List<Report.LatencyPoint> pts, double latencySloMs, int gpus, String policy) {
        return pts.stream().filter(q -> q.latencySloMs() == latencySloMs && q.gpus() == gpus && q.policy().equals(policy))
                .mapToDouble(Report.LatencyPoint::capacityRps).findFirst().orElse(0);
    }

    private static void simulationSection(Report r, Path dir, StringBuilder html) throws IOException {
        html.append(String.format(Locale.ROOT, "<h2>SIMULATION on %s</h2><p>Discrete-event simulation with the profiles on %d GPU(s),"
                + " accuracy SLO %.2f, re-planning online as the planner sidecar does. Simulated, not measured serving.</p>",
                esc(r.trace()), r.simulatedGpus(), r.simulatedAccuracySlo()));
        SimulationResult first = r.simulations().get(0);
        XYChart arrivals = timeChart("Trace: arrivals (req/s, " + BUCKET_S + " s means)", "req/s");
        addSeries(arrivals, "arrivals", bucketRate(first.timeline().arrivals()));
        save(arrivals, dir, "arrivals.png", html);

        XYChart violations = timeChart("SIMULATION: SLO violations per " + BUCKET_S + " s (% of arrivals)", "% late or dropped");
        XYChart share = timeChart("SIMULATION: GPU share held (% of all GPUs)", "% of GPUs");
        List<SimulationResult> onTopFirst = new ArrayList<>(r.simulations());
        java.util.Collections.reverse(onTopFirst);
        for (SimulationResult s : onTopFirst) {
            addSeries(violations, s.policy(), bucketPercent(s.timeline().violations(), s.timeline().arrivals()));
            addSeries(share, s.policy(), bucketMean(s.timeline().gpuSharePct()));
        }
        save(violations, dir, "slo-violations.png", html);
        save(share, dir, "gpu-share.png", html);

        XYChart scatter = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("SIMULATION: accuracy vs GPU share held")
                .xAxisTitle("mean GPU share held (% of all GPUs)").yAxisTitle("mean end-to-end accuracy").build();
        scatter.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
        scatter.getStyler().setMarkerSize(12);
        for (SimulationResult s : r.simulations()) {
            colour(scatter.addSeries(s.policy(), new double[] {s.gpuShareUsedPct()}, new double[] {s.accuracy()}), s.policy());
        }
        save(scatter, dir, "accuracy-vs-share.png", html);

        html.append("<table><tr><th>policy</th><th>requests</th><th>late</th><th>dropped</th><th>SLO violations %</th><th>p50 ms</th>"
                + "<th>p99 ms</th><th>GPU share held %</th><th>accuracy</th><th>plans applied</th><th>infeasible decisions</th></tr>");
        for (SimulationResult s : r.simulations()) {
            html.append(String.format(Locale.ROOT, "<tr><td style=\"text-align:left\">%s</td><td>%d</td><td>%d</td><td>%d</td><td>%.3f</td>"
                            + "<td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.4f</td><td>%d</td><td>%d</td></tr>", esc(s.policy()), s.requests(), s.late(),
                    s.dropped(), s.sloViolationPct(), s.p50Ms(), s.p99Ms(), s.gpuShareUsedPct(), s.accuracy(), s.plansApplied(),
                    s.infeasibleDecisions()));
        }
        html.append("</table>");
    }

    /** Planned against measured accuracy of served runs: a table per run and one plot of both per plan version. */
    private static void servedSection(Report r, Path dir, StringBuilder html) throws IOException {
        html.append("<h2>Served runs: accuracy planned vs MEASURED</h2><p>From `bin/jigsaw demo --json` summaries: the end-to-end accuracy "
                + "each plan promised (where `models` measured the graph's variant combinations: what the combination that served each "
                + "request scored end to end offline, in the graph's own units; a graph without them: the relative path product) against "
                + "what the answers scored on their ground truth (per path the product of the tasks' scores, 0..1). <i>from task "
                + "means</i> is that product over the tasks' mean scores: what the measured accuracy would be if errors were independent "
                + "along paths.</p>");
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Accuracy per plan version (MEASURED on served requests)")
                .xAxisTitle("plan version").yAxisTitle("end-to-end accuracy").build();
        for (ServedRun run : r.served()) {
            html.append(String.format(Locale.ROOT, "<h3>%s</h3><p>%d requests scored, accuracy source %s: planned %.4f, measured "
                    + "%.4f, from task means %.4f; task scores %s.</p>", esc(run.name()), run.scored(), esc(run.accuracySource()),
                    run.planned(), run.measured(), run.fromTaskMeans(), esc(run.taskScores().toString())));
            html.append("<table><tr><th>plan</th><th>scored</th><th>planned</th><th>measured</th><th>|measured &minus; planned|</th></tr>");
            for (ServedRun.PlanAccuracy p : run.perPlan()) {
                html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%d</td><td>%.4f</td><td>%.4f</td><td>%.4f</td></tr>",
                        esc(p.version()), p.scored(), p.planned(), p.measured(), Math.abs(p.measured() - p.planned())));
            }
            html.append("</table>");
            if (!run.perPlan().isEmpty()) {
                double[] x = new double[run.perPlan().size()];
                for (int i = 0; i < x.length; i++) {
                    String digits = run.perPlan().get(i).version().replaceAll("\\D", "");
                    x[i] = digits.isEmpty() ? i + 1 : Double.parseDouble(digits);
                }
                chart.addSeries(run.name() + " planned", x, run.perPlan().stream().mapToDouble(ServedRun.PlanAccuracy::planned).toArray());
                chart.addSeries(run.name() + " measured", x, run.perPlan().stream().mapToDouble(ServedRun.PlanAccuracy::measured).toArray())
                        .setMarker(SeriesMarkers.DIAMOND);
            }
        }
        if (!chart.getSeriesMap().isEmpty()) {
            save(chart, dir, "served-accuracy.png", html);
        }
        adaptationChart(r, dir, html);
    }

    /**
     * Served runs side by side, each a point at (SLO attainment as the client read it, measured
     * accuracy), coloured by its adaptation: where a per-request adaptation moved runs against the
     * plan-level ones (the table names each run's file, e.g. its trace).
     */
    private static void adaptationChart(Report r, Path dir, StringBuilder html) throws IOException {
        List<ServedRun> runs = r.served().stream().filter(s -> !Double.isNaN(s.sloVisible())).toList();
        if (runs.size() < 2) {
            return;
        }
        html.append("<h3>Served runs side by side</h3><table><tr><th>run</th><th>adaptation</th><th>SLO attainment as read</th>"
                + "<th>accuracy MEASURED</th></tr>");
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Served runs: SLO attainment vs accuracy (MEASURED)")
                .xAxisTitle("SLO attainment as the client read it").yAxisTitle("accuracy measured (normalised)").build();
        java.util.Map<String, List<ServedRun>> byAdapt = new java.util.TreeMap<>();
        for (ServedRun run : runs) {
            html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%.4f</td><td>%.4f</td></tr>", esc(run.name()),
                    esc(run.adapt()), run.sloVisible(), run.measured()));
            byAdapt.computeIfAbsent(run.adapt(), a -> new ArrayList<>()).add(run);
        }
        // One colour per adaptation, one point per run: repeated runs show their spread.
        byAdapt.forEach((adapt, rs) -> chart.addSeries(adapt, rs.stream().mapToDouble(ServedRun::sloVisible).toArray(),
                rs.stream().mapToDouble(ServedRun::measured).toArray()).setMarker(SeriesMarkers.CIRCLE));
        html.append("</table>");
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        save(chart, dir, "served-adaptation.png", html);
    }

    private static XYChart timeChart(String title, String yTitle) {
        return new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("time (s)").yAxisTitle(yTitle).build();
    }

    private static void addSeries(XYChart chart, String name, double[] y) {
        double[] x = new double[y.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = i * BUCKET_S;
        }
        XYSeries s = chart.addSeries(name, x, y.length == 0 ? new double[] {0} : y);
        s.setMarker(SeriesMarkers.NONE);
        colour(s, name);
    }

    private static void save(XYChart chart, Path dir, String name, StringBuilder html) throws IOException {
        BitmapEncoder.saveBitmap(chart, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
        html.append("<img src=\"").append(name).append("\" alt=\"").append(name).append("\">");
    }

    static double[] bucketRate(long[] perSecond) {
        double[] out = new double[(perSecond.length + BUCKET_S - 1) / BUCKET_S];
        for (int i = 0; i < perSecond.length; i++) {
            out[i / BUCKET_S] += perSecond[i] / (double) BUCKET_S;
        }
        return out;
    }

    static double[] bucketMean(double[] perSecond) {
        double[] out = new double[(perSecond.length + BUCKET_S - 1) / BUCKET_S];
        int[] n = new int[out.length];
        for (int i = 0; i < perSecond.length; i++) {
            out[i / BUCKET_S] += perSecond[i];
            n[i / BUCKET_S]++;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= Math.max(1, n[i]);
        }
        return out;
    }

    static double[] bucketPercent(long[] part, long[] whole) {
        List<Double> out = new ArrayList<>();
        for (int from = 0; from < whole.length; from += BUCKET_S) {
            long p = 0;
            long w = 0;
            for (int i = from; i < Math.min(whole.length, from + BUCKET_S); i++) {
                p += part[i];
                w += whole[i];
            }
            out.add(w == 0 ? 0 : 100.0 * p / w);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
