package dev.certmetric.eval;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.report.SvgCharts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * A self-contained HTML page of a {@link PrequentialResult}: prequential accuracy along the stream
 * (per 1% window and running) and the running certified accuracy at each radius, both against events,
 * then the numbers and the learner settings.
 */
public final class PrequentialHtmlReport {
    private PrequentialHtmlReport() {
    }

    public static void write(PrequentialResult r, Path file) throws IOException {
        Files.writeString(file, render(r), StandardCharsets.UTF_8);
    }

    public static String render(PrequentialResult r) {
        String title = "certmetric prequential: " + r.dataset();
        StringBuilder html = new StringBuilder(SvgCharts.pageStart(title));
        html.append("<p>").append(SvgCharts.esc(String.format(Locale.ROOT,
                "%d events, %d features, %d classes, replayed in file order, test then train on each event: accuracy %.4f, "
                        + "kappa %.4f, %.0f events/s. Certified accuracy is estimated on the %d events whose certified "
                        + "radius the learner computed (learner.certify-every = %d).",
                r.events(), r.features(), r.classes(), r.accuracy(), r.kappa(), r.eventsPerSecond(), r.certifiedSample(),
                r.settings().certifyEvery()))).append("</p>\n");
        html.append("<p>").append(SvgCharts.esc(r.chosen().describe(r.features()))).append("</p>\n");

        SvgCharts.Axis events = SvgCharts.Axis.nice("events", 0, r.events());
        Map<String, SortedMap<Double, Double>> accuracy = new LinkedHashMap<>();
        accuracy.put("last 1% of events", series(r, PrequentialResult.Point::accuracy));
        accuracy.put("whole stream so far", series(r, PrequentialResult.Point::runningAccuracy));
        Map<String, SortedMap<Double, Double>> certified = new LinkedHashMap<>();
        for (int i = 0; i < Prequential.RADII.size(); i++) {
            int radius = i;
            certified.put("r = " + EvaluationResult.key(Prequential.RADII.get(i)), series(r, p -> p.certified()[radius]));
        }
        html.append(SvgCharts.chartRow(
                SvgCharts.lineChart("Prequential accuracy along the stream", events, SvgCharts.Axis.unit("accuracy"), accuracy),
                SvgCharts.lineChart("Certified accuracy along the stream (sampled, so far)", events,
                        SvgCharts.Axis.unit("certified accuracy"), certified)));

        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("setting", "value"));
        CertmetricConfig.learnerKeys(r.settings()).forEach((key, value) -> rows.add(List.of(key, String.valueOf(value))));
        html.append(SvgCharts.table(rows));
        return html.append(SvgCharts.pageEnd()).toString();
    }

    private static SortedMap<Double, Double> series(PrequentialResult r, ToDoubleFunction<PrequentialResult.Point> y) {
        SortedMap<Double, Double> s = new TreeMap<>();
        r.curve().forEach(p -> s.put((double) p.events(), y.applyAsDouble(p)));
        return s;
    }
}
