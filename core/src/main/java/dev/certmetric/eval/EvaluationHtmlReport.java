package dev.certmetric.eval;

import dev.certmetric.report.SvgCharts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A self-contained HTML page (no external scripts, styles or fonts) with two inline SVG line charts
 * ({@link SvgCharts}), accuracy against noise sigma and certified accuracy against radius, and the table of numbers.
 */
public final class EvaluationHtmlReport {
    private EvaluationHtmlReport() {
    }

    public static void write(EvaluationResult r, Path file) throws IOException {
        Files.writeString(file, render(r), StandardCharsets.UTF_8);
    }

    public static String render(EvaluationResult r) {
        Map<String, SortedMap<Double, Double>> noise = new LinkedHashMap<>();
        Map<String, SortedMap<Double, Double>> certified = new LinkedHashMap<>();
        r.methods().forEach((name, m) -> {
            TreeMap<Double, Double> points = new TreeMap<>(m.noisy());
            points.put(0.0, m.accuracyMean());  // sigma 0 is the clean accuracy
            noise.put(name, points);
            certified.put(name, m.certified());
        });
        String title = "certmetric evaluation: " + r.dataset();
        StringBuilder html = new StringBuilder(SvgCharts.pageStart(title));
        html.append("<p>")
                .append(String.format(Locale.ROOT, "%d rows, %d features; %d rounds of random train/test splits, seed %d.",
                        r.rows(), r.features(), r.rounds(), r.seed()))
                .append("</p>\n");
        html.append(chart("Accuracy under Gaussian input noise", "noise sigma", "accuracy", noise));
        html.append(chart("Certified accuracy", "radius", "certified accuracy", certified));
        html.append(SvgCharts.table(EvaluationTable.cells(r)));
        return html.append(SvgCharts.pageEnd()).toString();
    }

    /**
     * A line chart with the y axis fixed to [0, 1] (all plotted values are accuracies) and x from 0 with a
     * tick at every x of the data.
     */
    static String chart(String title, String xLabel, String yLabel, Map<String, SortedMap<Double, Double>> series) {
        // x starts at 0 (sigma and radius are >= 0); a chart without positive x still needs a span
        double xMax = series.values().stream().filter(s -> !s.isEmpty()).mapToDouble(SortedMap::lastKey).max().orElse(0);
        double xSpan = xMax > 0 ? xMax : 1;
        SortedSet<Double> xs = new TreeSet<>();
        series.values().forEach(s -> xs.addAll(s.keySet()));
        SvgCharts.Axis x = new SvgCharts.Axis(xLabel, 0, xSpan, xs.stream().mapToDouble(Double::doubleValue).toArray(),
                EvaluationResult::key);
        return SvgCharts.lineChart(title, x, SvgCharts.Axis.unit(yLabel), series);
    }
}
