package dev.certmetric.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.certmetric.data.CsvDataset;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo's scorer figures from answers, and its report page, without a broker. */
class DemoReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CsvDataset IRIS = CsvDataset.readResource("iris");

    private static JsonNode answer(String label, String radius, double anomaly, long version) throws Exception {
        return JSON.readTree("{\"id\":\"x\",\"model\":\"m\",\"version\":" + version + ",\"label\":\"" + label
                + "\",\"anomaly_score\":" + anomaly + ",\"certified_radius\":" + radius + "}");
    }

    @Test
    void figuresFromAnswers() throws Exception {
        CsvDataset test = IRIS.subset(new int[] {0, 1, 50, 100});  // setosa, setosa, versicolor, virginica
        List<JsonNode> answers = new ArrayList<>();
        answers.add(answer(test.label(0), "0.2", 0.1, 7));
        answers.add(answer(test.label(1), "0.04", 0.3, 7));
        answers.add(answer(test.label(3), "0.5", 0.5, 7));      // wrong: certified but misclassified counts 0
        answers.add(answer(test.label(3), "null", 0.9, 7));     // right, unbounded radius
        DemoScoring.Answers a = DemoScoring.summarize(answers, test);
        assertEquals(0.75, a.accuracy(), 1e-12);
        assertArrayEquals(new double[] {0.75, 0.5, 0.5}, a.certifiedAccuracy(), 1e-12);
        assertEquals((0.04 + 0.2) / 2, a.medianRadius(), 1e-12);  // sorted: 0, 0.04, 0.2, inf
        assertEquals(0.45, a.meanAnomalyScore(), 1e-12);
        assertEquals("v7", a.versionLabel());
        assertEquals(0, a.errors());

        answers.set(0, JSON.readTree("{\"id\":\"x\",\"error\":\"bad\"}"));
        answers.set(1, answer(test.label(1), "0.04", 0.3, 8));
        DemoScoring.Answers b = DemoScoring.summarize(answers, test);
        assertEquals(1, b.errors());
        assertEquals("bad", b.firstError());
        assertEquals("v7..v8", b.versionLabel());
        JsonNode req = JSON.readTree(DemoScoring.request("r1", new double[] {1.5, -2}));
        assertEquals("r1", req.get("id").asText());
        assertEquals(-2, req.get("features").get(1).asDouble());
    }

    @Test
    void reportHasTheFiveChartsAndTheTable() {
        List<DemoReport.Point> history = new ArrayList<>();
        for (int v = 1; v <= 12; v++) {
            history.add(new DemoReport.Point(2 + 0.5 * v, v, 250L * v, 0.9 + v / 200.0, 0.1 + v / 100.0, 0.3, 0.5));
        }
        DemoCommand.Holdout h = new DemoCommand.Holdout();
        for (int i = 0; i < h.euclidean.length; i++) {
            h.euclidean[i] = 0.9 - 0.05 * i;
            h.learned[i] = 0.95 - 0.02 * i;
        }
        DemoScoring.Answers a = new DemoScoring.Answers(45, 0, null, new java.util.TreeSet<>(List.of(12L)), 0.96,
                new double[] {0.9, 0.8, 0.6}, Double.POSITIVE_INFINITY, 0.5);
        String html = DemoReport.render(new DemoReport.Content("iris <test>", "desc", history, h, a, 105, 45));
        assertEquals(5, html.split("<svg ", -1).length - 1);
        assertEquals(1 + 1 + 3 + 3 + 1, html.split("<polyline ", -1).length - 1, "series");
        assertTrue(html.contains("certmetric demo: iris &lt;test&gt;"), html);
        assertTrue(html.contains("<td>median certified radius (misclassified = 0)</td><td></td><td></td><td>unbounded</td>"),
                html);
        assertTrue(html.contains("learned (scorer, v12)"), html);
        assertTrue(!html.contains("<script") && !html.contains("<link") && !html.contains("src="), "self-contained");
    }
}
