package dev.certmetric.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A self-contained HTML page (no external scripts, styles or fonts) with two inline SVG line charts,
 * accuracy against noise sigma and certified accuracy against radius, and the table of numbers.
 */
public final class EvaluationHtmlReport {
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
        "#17becf"};
    private static final int WIDTH = 640;
    private static final int HEIGHT = 400;
    private static final int LEFT = 64;
    private static final int RIGHT = 170;
    private static final int TOP = 40;
    private static final int BOTTOM = 56;

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
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").append(esc(title))
                .append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:2em;color:#222}\n")
                .append("table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;white-space:nowrap}\n")
                .append("td{text-align:right;font-variant-numeric:tabular-nums}td:first-child{text-align:left}\n")
                .append("svg{display:block;margin:1em 0}\n</style>\n</head>\n<body>\n");
        html.append("<h1>").append(esc(title)).append("</h1>\n<p>")
                .append(String.format(Locale.ROOT, "%d rows, %d features; %d rounds of random train/test splits, seed %d.",
                        r.rows(), r.features(), r.rounds(), r.seed()))
                .append("</p>\n");
        html.append(chart("Accuracy under Gaussian input noise", "noise sigma", "accuracy", noise));
        html.append(chart("Certified accuracy", "radius", "certified accuracy", certified));
        html.append("<table>\n");
        List<List<String>> rows = EvaluationTable.cells(r);
        for (int i = 0; i < rows.size(); i++) {
            String tag = i == 0 ? "th" : "td";
            html.append("<tr>");
            for (String cell : rows.get(i)) {
                html.append('<').append(tag).append('>').append(esc(cell)).append("</").append(tag).append('>');
            }
            html.append("</tr>\n");
        }
        return html.append("</table>\n</body>\n</html>\n").toString();
    }

    /** A line chart with the y axis fixed to [0, 1] (all plotted values are accuracies). */
    private static String chart(String title, String xLabel, String yLabel, Map<String, SortedMap<Double, Double>> series) {
        // x starts at 0 (sigma and radius are >= 0); a chart without positive x still needs a span
        double xMax = series.values().stream().filter(s -> !s.isEmpty()).mapToDouble(SortedMap::lastKey).max().orElse(0);
        double xSpan = xMax > 0 ? xMax : 1;
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
                        + "aria-label=\"%s\" font-family=\"sans-serif\" font-size=\"12\">\n",
                WIDTH, HEIGHT, WIDTH, HEIGHT, esc(title)));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>\n",
                LEFT, esc(title)));
        for (int i = 0; i <= 5; i++) {
            double v = i / 5.0;
            double y = TOP + plotH * (1 - v);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>\n", LEFT, y, LEFT + plotW, y, LEFT - 6, y + 4, v));
        }
        SortedSet<Double> xs = new TreeSet<>();
        series.values().forEach(s -> xs.addAll(s.keySet()));
        for (double xv : xs) {
            double x = LEFT + plotW * xv / xSpan;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                    x, TOP + plotH, x, TOP + plotH + 5, x, TOP + plotH + 19, EvaluationResult.key(xv)));
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>\n",
                LEFT, TOP, plotW, plotH));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                LEFT + plotW / 2, HEIGHT - 14, esc(xLabel)));
        svg.append(String.format(Locale.ROOT, "<text transform=\"translate(18 %d) rotate(-90)\" text-anchor=\"middle\">%s</text>\n",
                TOP + plotH / 2, esc(yLabel)));
        int i = 0;
        for (Map.Entry<String, SortedMap<Double, Double>> e : series.entrySet()) {
            String colour = COLOURS[i % COLOURS.length];
            StringBuilder points = new StringBuilder();
            for (Map.Entry<Double, Double> pt : e.getValue().entrySet()) {
                double x = LEFT + plotW * pt.getKey() / xSpan;
                double y = TOP + plotH * (1 - Math.max(0, Math.min(1, pt.getValue())));
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", x, y, colour));
            }
            svg.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n",
                    points.toString().trim(), colour));
            int ly = TOP + 10 + 20 * i;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>\n",
                    LEFT + plotW + 14, ly, LEFT + plotW + 38, ly, colour, LEFT + plotW + 44, ly + 4, esc(e.getKey())));
            i++;
        }
        return svg.append("</svg>\n").toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
