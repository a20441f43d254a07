package dev.certmetric.report;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SvgChartsTest {

    @Test
    void niceAxesHaveRoundTicksCoveringTheRange() {
        SvgCharts.Axis a = SvgCharts.Axis.nice("events", 0, 20000);
        assertEquals(0, a.min());
        assertEquals(20000, a.max());
        assertArrayEquals(new double[] {0, 5000, 10000, 15000, 20000}, a.ticks(), 1e-9);
        SvgCharts.Axis b = SvgCharts.Axis.nice("accuracy", 0.9712, 0.9977);
        assertTrue(b.min() <= 0.9712 && b.max() >= 0.9977 && b.max() - b.min() < 0.05, b.toString());
        assertArrayEquals(new double[] {0.97, 0.98, 0.99, 1.0}, b.ticks(), 1e-9);
        assertEquals("0.98", b.format().apply(0.98));
        SvgCharts.Axis flat = SvgCharts.Axis.nice("version", 3, 3);
        assertTrue(flat.min() < 3 && flat.max() > 3);
        SvgCharts.Axis none = SvgCharts.Axis.nice("empty", Double.NaN, Double.NaN);
        assertEquals(0, none.min());
        assertEquals(1, none.max());
    }

    @Test
    void lineChartDrawsEverySeriesWithItsLegendAndEscapes() {
        Map<String, SortedMap<Double, Double>> series = new LinkedHashMap<>();
        series.put("a<b", new TreeMap<>(Map.of(0.0, 0.5, 1.0, 0.7)));
        series.put("c", new TreeMap<>(Map.of(0.5, 2.0)));  // above the y range: drawn at the edge
        String svg = SvgCharts.lineChart("T & U", SvgCharts.Axis.nice("x", 0, 1), SvgCharts.Axis.unit("y"), series);
        assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""), svg);
        assertEquals(2, svg.split("<polyline ", -1).length - 1);
        assertEquals(3, svg.split("<circle ", -1).length - 1);
        assertTrue(svg.contains(">a&lt;b</text>") && svg.contains(">T &amp; U</text>"), svg);
        assertTrue(svg.contains("cy=\"40.0\""), "clamped to the top of the plot: " + svg);
        String page = SvgCharts.pageStart("p") + SvgCharts.chartRow(svg) + SvgCharts.pageEnd();
        assertTrue(page.startsWith("<!DOCTYPE html>") && page.endsWith("</html>\n") && page.contains("class=\"charts\""));
    }
}
