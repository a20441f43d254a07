package dev.certmetric.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationReportsTest {
    static EvaluationResult sample() {
        Map<String, MethodResult> methods = new LinkedHashMap<>();
        methods.put("euclidean", new MethodResult(0.9, 0.02, new TreeMap<>(Map.of(0.1, 0.8, 0.05, 0.85)),
                new TreeMap<>(Map.of(0.0, 0.9, 0.1, 0.6, 0.2, 0.3)), 0.001));
        methods.put("lmnn <robust>", new MethodResult(0.95, 0.01, new TreeMap<>(Map.of(0.05, 0.93, 0.1, 0.9)),
                new TreeMap<>(Map.of(0.0, 0.95, 0.1, 0.8, 0.2, 0.55)), 1.25));
        return new EvaluationResult("iris", 150, 4, 10, 42, methods);
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void keysArePlainDecimals() {
        assertEquals("0.05", EvaluationResult.key(0.05));
        assertEquals("0.1", EvaluationResult.key(0.1));
        assertEquals("0", EvaluationResult.key(0.0));
        assertEquals("1", EvaluationResult.key(1.0));
        assertEquals("0.0001", EvaluationResult.key(1e-4));
    }

    @Test
    void jsonHasExactlyTheDocumentedStructure(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("eval.json");
        EvaluationJson.write(sample(), file);
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        assertEquals(List.of("dataset", "rows", "features", "rounds", "seed", "methods"), names(root));
        assertEquals("iris", root.get("dataset").textValue());
        assertEquals(150, root.get("rows").intValue());
        assertEquals(4, root.get("features").intValue());
        assertEquals(10, root.get("rounds").intValue());
        assertEquals(42, root.get("seed").longValue());
        assertEquals(List.of("euclidean", "lmnn <robust>"), names(root.get("methods")));
        JsonNode m = root.get("methods").get("lmnn <robust>");
        assertEquals(List.of("accuracy", "noisy", "certified", "fit_seconds"), names(m));
        assertEquals(List.of("mean", "std"), names(m.get("accuracy")));
        assertEquals(0.95, m.get("accuracy").get("mean").doubleValue());
        assertEquals(0.01, m.get("accuracy").get("std").doubleValue());
        assertEquals(List.of("0.05", "0.1"), names(m.get("noisy")));
        assertEquals(0.93, m.get("noisy").get("0.05").doubleValue());
        assertEquals(List.of("0", "0.1", "0.2"), names(m.get("certified")));
        assertEquals(0.55, m.get("certified").get("0.2").doubleValue());
        assertEquals(1.25, m.get("fit_seconds").doubleValue());
    }

    @Test
    void htmlIsSelfContainedWithChartsAndTable(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("eval.html");
        EvaluationHtmlReport.write(sample(), file);
        String html = Files.readString(file);
        assertEquals(2, html.split("<svg ", -1).length - 1);
        assertEquals(4, html.split("<polyline ", -1).length - 1, "one line per method per chart");
        assertTrue(html.contains("euclidean"));
        assertTrue(html.contains("lmnn &lt;robust&gt;"));
        assertFalse(html.contains("lmnn <robust>"), "names are escaped");
        assertTrue(html.contains("noise sigma") && html.contains("radius") && html.contains("<table>"));
        assertFalse(html.contains("src=") || html.contains("href=") || html.contains("@import"), "no external resources");
    }

    @Test
    void tableAlignsColumns() {
        String table = EvaluationTable.format(sample());
        List<String> lines = table.lines().toList();
        assertEquals("iris: 150 rows x 4 features, 10 rounds, seed 42", lines.get(0));
        assertTrue(lines.get(1).startsWith("method") && lines.get(1).contains("noise 0.05") && lines.get(1).contains("cert 0.2"));
        assertTrue(lines.get(2).matches("-+"));
        assertTrue(lines.get(3).startsWith("euclidean "));
        assertTrue(lines.get(4).startsWith("lmnn <robust>"));
        assertEquals(lines.get(3).length(), lines.get(4).length());
        assertTrue(lines.get(4).endsWith("1.250"));
    }
}
