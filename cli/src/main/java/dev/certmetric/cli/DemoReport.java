package dev.certmetric.cli;

import dev.certmetric.eval.EvaluationResult;
import dev.certmetric.report.SvgCharts;
import dev.certmetric.report.SvgCharts.Axis;
import dev.certmetric.snapshot.MetricSnapshot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The {@code demo --report} page: self-contained HTML with inline SVG charts ({@link SvgCharts}) of the
 * committed snapshots as the demo followed them (prequential accuracy against events, version against
 * wall time, adversarial-margin quantiles per version) and of the held-out comparison (Euclidean vs
 * learned, clean and noisy; certified accuracy from the scorer's answers).
 */
final class DemoReport {
    private DemoReport() {
    }

    /** One committed snapshot as the demo saw it arrive. */
    record Point(double seconds, long version, long events, double prequentialAccuracy, double marginP10,
            double marginP50, double marginP90) {
        static Point of(MetricSnapshot s, double seconds) {
            var t = s.trainingStats();
            return new Point(seconds, s.version(), t.eventsSeen(), t.prequentialAccuracy(), t.marginP10(), t.marginP50(),
                    t.marginP90());
        }
    }

    /** What the page shows. */
    record Content(String dataset, String description, List<Point> history, DemoCommand.Holdout holdout,
            DemoScoring.Answers scorer, int trainRows, int testRows) {
    }

    static String render(Content c) {
        String title = "certmetric demo: " + c.dataset();
        StringBuilder html = new StringBuilder(SvgCharts.pageStart(title));
        html.append("<p>").append(SvgCharts.esc(c.description())).append("</p>\n");

        List<Point> h = c.history();
        Map<String, SortedMap<Double, Double>> preq = new LinkedHashMap<>();
        preq.put("prequential accuracy", series(h, p -> (double) p.events(), Point::prequentialAccuracy));
        String preqChart = SvgCharts.lineChart("Prequential accuracy (test-then-train) of the committed snapshots",
                niceX("events processed", preq), niceY("prequential accuracy", preq), preq);

        Map<String, SortedMap<Double, Double>> versions = new LinkedHashMap<>();
        versions.put("snapshot version", series(h, Point::seconds, p -> (double) p.version()));
        String versionChart = SvgCharts.lineChart("Snapshot version vs wall time (when the commit became visible)",
                niceX("seconds since the learner started", versions), niceY("version", versions), versions);

        Map<String, SortedMap<Double, Double>> margins = new LinkedHashMap<>();
        margins.put("p10", series(h, p -> (double) p.version(), Point::marginP10));
        margins.put("p50", series(h, p -> (double) p.version(), Point::marginP50));
        margins.put("p90", series(h, p -> (double) p.version(), Point::marginP90));
        String marginChart = SvgCharts.lineChart("Adversarial margin quantiles of the window, per snapshot",
                niceX("snapshot version", margins), niceY("adversarial margin", margins), margins);

        double[] sigmas = DemoCommand.SIGMAS;
        Map<String, SortedMap<Double, Double>> noise = new LinkedHashMap<>();
        TreeMap<Double, Double> euclid = new TreeMap<>();
        TreeMap<Double, Double> learned = new TreeMap<>();
        double[] xs = new double[sigmas.length + 1];
        for (int i = 0; i <= sigmas.length; i++) {
            double s = i == 0 ? 0 : sigmas[i - 1];
            xs[i] = s;
            euclid.put(s, c.holdout().euclidean[i]);
            learned.put(s, c.holdout().learned[i]);
        }
        noise.put("euclidean (local)", euclid);
        noise.put("learned (local)", learned);
        noise.put("learned (scorer)", new TreeMap<>(Map.of(0.0, c.scorer().accuracy())));
        String noiseChart = SvgCharts.lineChart("Held-out 3-NN accuracy, clean and under Gaussian noise",
                new Axis("noise sigma (preprocessed inputs)", 0, sigmas[sigmas.length - 1], xs, EvaluationResult::key),
                Axis.unit("accuracy"), noise);

        double[] radii = DemoScoring.RADII;
        TreeMap<Double, Double> cert = new TreeMap<>();
        double[] rs = new double[radii.length + 1];
        cert.put(0.0, c.scorer().accuracy());
        for (int i = 0; i < radii.length; i++) {
            rs[i + 1] = radii[i];
            cert.put(radii[i], c.scorer().certifiedAccuracy()[i]);
        }
        Map<String, SortedMap<Double, Double>> certified = new LinkedHashMap<>();
        certified.put("learned (scorer)", cert);
        String certChart = SvgCharts.lineChart("Certified held-out accuracy, from the scorer's answers",
                new Axis("radius (preprocessed input space)", 0, radii[radii.length - 1], rs, EvaluationResult::key),
                Axis.unit("certified accuracy"), certified);

        html.append("<h2>Learning (the committed snapshots, as followed by the demo)</h2>\n")
                .append(SvgCharts.chartRow(preqChart, versionChart, marginChart));
        html.append("<h2>Held-out comparison</h2>\n").append(SvgCharts.chartRow(noiseChart, certChart));
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("held-out figure", "euclidean (local)", "learned (local)", "learned (scorer, "
                + c.scorer().versionLabel() + ")"));
        rows.add(List.of("accuracy, clean", f4(c.holdout().euclidean[0]), f4(c.holdout().learned[0]),
                f4(c.scorer().accuracy())));
        for (int i = 0; i < sigmas.length; i++) {
            rows.add(List.of("accuracy, noise sigma " + EvaluationResult.key(sigmas[i]), f4(c.holdout().euclidean[i + 1]),
                    f4(c.holdout().learned[i + 1]), ""));
        }
        for (int i = 0; i < radii.length; i++) {
            rows.add(List.of("certified accuracy, radius " + EvaluationResult.key(radii[i]), "", "",
                    f4(c.scorer().certifiedAccuracy()[i])));
        }
        rows.add(List.of("median certified radius (misclassified = 0)", "", "", radius(c.scorer().medianRadius())));
        rows.add(List.of("mean anomaly score", "", "", f4(c.scorer().meanAnomalyScore())));
        html.append(SvgCharts.table(rows));
        html.append("<p>").append(SvgCharts.esc(String.format(Locale.ROOT, "%d held-out rows. Local: 3-NN with the %d "
                + "training rows (preprocessed) as references, noise added to the preprocessed inputs. Scorer: the "
                + "answers of the running scorer (k-NN over the snapshot's exemplars) to the held-out rows sent as "
                + "requests.", c.testRows(), c.trainRows()))).append("</p>\n");
        return html.append(SvgCharts.pageEnd()).toString();
    }

    static String f4(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    static String radius(double v) {
        return Double.isInfinite(v) ? "unbounded" : f4(v);
    }

    private static SortedMap<Double, Double> series(List<Point> h, java.util.function.ToDoubleFunction<Point> x,
                                                    java.util.function.ToDoubleFunction<Point> y) {
        TreeMap<Double, Double> m = new TreeMap<>();
        for (Point p : h) {
            m.put(x.applyAsDouble(p), y.applyAsDouble(p));
        }
        return m;
    }

    private static Axis niceX(String label, Map<String, SortedMap<Double, Double>> series) {
        double[] r = SvgCharts.range(series, true);
        return Axis.nice(label, Math.min(0, r[0]), r[1]);
    }

    private static Axis niceY(String label, Map<String, SortedMap<Double, Double>> series) {
        double[] r = SvgCharts.range(series, false);
        return Axis.nice(label, r[0], r[1]);
    }
}
