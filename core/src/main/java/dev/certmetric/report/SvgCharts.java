package dev.certmetric.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.DoubleFunction;

/**
 * Inline SVG line charts and the frame of a self-contained HTML page (no external scripts, styles or
 * fonts), shared by the {@code evaluate} and {@code demo} reports.
 */
public final class SvgCharts {
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
        "#17becf"};
    private static final int WIDTH = 640;
    private static final int HEIGHT = 400;
    private static final int LEFT = 64;
    private static final int RIGHT = 170;
    private static final int TOP = 40;
    private static final int BOTTOM = 56;

    private SvgCharts() {
    }

    /**
     * An axis: its label, its range and where its ticks go. On the y axis ticks are grid lines, on the
     * x axis marks under the plot.
     */
    public record Axis(String label, double min, double max, double[] ticks, DoubleFunction<String> format) {
        public Axis {
            if (!(max > min)) {
                throw new IllegalArgumentException("axis " + label + ": max " + max + " must exceed min " + min);
            }
            ticks = ticks.clone();
        }

        /** [0, 1] with ticks every 0.2: for accuracies. */
        public static Axis unit(String label) {
            return new Axis(label, 0, 1, new double[] {0, 0.2, 0.4, 0.6, 0.8, 1}, v -> fmt("%.1f", v));
        }

        /** A range covering the values' [lo, hi] with about five round ticks (1, 2 or 5 times a power of ten). */
        public static Axis nice(String label, double lo, double hi) {
            if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
                lo = 0;
                hi = 1;
            }
            if (hi - lo < 1e-12) {
                double pad = Math.abs(hi) > 1e-12 ? Math.abs(hi) * 0.05 : 0.5;
                lo -= pad;
                hi += pad;
            }
            double raw = (hi - lo) / 5;
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double r = raw / mag;
            double step = (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
            double min = Math.floor(lo / step + 1e-9) * step;
            double max = Math.ceil(hi / step - 1e-9) * step;
            if (max <= min) {
                max = min + step;
            }
            List<Double> ticks = new ArrayList<>();
            for (double t = min; t <= max + step * 1e-6; t += step) {
                ticks.add(Math.abs(t) < step * 1e-9 ? 0 : t);
            }
            int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
            String pattern = "%." + decimals + "f";
            return new Axis(label, min, max, ticks.stream().mapToDouble(Double::doubleValue).toArray(),
                    v -> fmt(pattern, v));
        }

        double frac(double v) {
            return (v - min) / (max - min);
        }
    }

    /** The range [lo, hi] of every x (or y) value of the series; NaN, NaN when there is none. */
    public static double[] range(Map<String, ? extends SortedMap<Double, Double>> series, boolean x) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (SortedMap<Double, Double> s : series.values()) {
            for (Map.Entry<Double, Double> e : s.entrySet()) {
                double v = x ? e.getKey() : e.getValue();
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        return lo <= hi ? new double[] {lo, hi} : new double[] {Double.NaN, Double.NaN};
    }

    /**
     * A line chart (points marked) of the series, in map order, with a legend on the right; values
     * outside the y range are drawn at its edge.
     */
    public static String lineChart(String title, Axis x, Axis y, Map<String, ? extends SortedMap<Double, Double>> series) {
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(fmt("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
                        + "aria-label=\"%s\" font-family=\"sans-serif\" font-size=\"12\">\n",
                WIDTH, HEIGHT, WIDTH, HEIGHT, esc(title)));
        svg.append(fmt("<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>\n", LEFT, esc(title)));
        for (double v : y.ticks()) {
            double py = TOP + plotH * (1 - y.frac(v));
            svg.append(fmt("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", LEFT, py, LEFT + plotW, py, LEFT - 6, py + 4,
                    esc(y.format().apply(v))));
        }
        for (double v : x.ticks()) {
            double px = LEFT + plotW * x.frac(v);
            svg.append(fmt("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                    px, TOP + plotH, px, TOP + plotH + 5, px, TOP + plotH + 19, esc(x.format().apply(v))));
        }
        svg.append(fmt("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>\n",
                LEFT, TOP, plotW, plotH));
        svg.append(fmt("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", LEFT + plotW / 2, HEIGHT - 14,
                esc(x.label())));
        svg.append(fmt("<text transform=\"translate(18 %d) rotate(-90)\" text-anchor=\"middle\">%s</text>\n",
                TOP + plotH / 2, esc(y.label())));
        int i = 0;
        for (Map.Entry<String, ? extends SortedMap<Double, Double>> e : series.entrySet()) {
            String colour = COLOURS[i % COLOURS.length];
            StringBuilder points = new StringBuilder();
            boolean dots = e.getValue().size() <= 60;
            for (Map.Entry<Double, Double> pt : e.getValue().entrySet()) {
                if (!Double.isFinite(pt.getKey()) || !Double.isFinite(pt.getValue())) {
                    continue;
                }
                double px = LEFT + plotW * clamp(x.frac(pt.getKey()));
                double py = TOP + plotH * (1 - clamp(y.frac(pt.getValue())));
                points.append(fmt("%.1f,%.1f ", px, py));
                if (dots) {
                    svg.append(fmt("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", px, py, colour));
                }
            }
            svg.append(fmt("<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n",
                    points.toString().trim(), colour));
            int ly = TOP + 10 + 20 * i;
            svg.append(fmt("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>\n",
                    LEFT + plotW + 14, ly, LEFT + plotW + 38, ly, colour, LEFT + plotW + 44, ly + 4, esc(e.getKey())));
            i++;
        }
        return svg.append("</svg>\n").toString();
    }

    /** The opening of a page (doctype, title, inline style, the h1), to be closed by {@link #pageEnd()}. */
    public static String pageStart(String title) {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + esc(title)
                + "</title>\n<style>\n"
                + "body{font-family:sans-serif;margin:2em;color:#222}\n"
                + "table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;white-space:nowrap}\n"
                + "td{text-align:right;font-variant-numeric:tabular-nums}td:first-child{text-align:left}\n"
                + "svg{display:block;margin:1em 0}\n"
                + ".charts{display:flex;flex-wrap:wrap;column-gap:2em}\n</style>\n</head>\n<body>\n"
                + "<h1>" + esc(title) + "</h1>\n";
    }

    public static String pageEnd() {
        return "</body>\n</html>\n";
    }

    /** Charts laid out side by side, wrapping to the page width. */
    public static String chartRow(String... charts) {
        return "<div class=\"charts\">\n" + String.join("", charts) + "</div>\n";
    }

    /** A table; the first row is the header. */
    public static String table(List<List<String>> rows) {
        StringBuilder html = new StringBuilder("<table>\n");
        for (int i = 0; i < rows.size(); i++) {
            String tag = i == 0 ? "th" : "td";
            html.append("<tr>");
            for (String cell : rows.get(i)) {
                html.append('<').append(tag).append('>').append(esc(cell)).append("</").append(tag).append('>');
            }
            html.append("</tr>\n");
        }
        return html.append("</table>\n").toString();
    }

    /** HTML/XML escaping of text and attribute values. */
    public static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static double clamp(double f) {
        return Math.max(0, Math.min(1, f));
    }

    private static String fmt(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
