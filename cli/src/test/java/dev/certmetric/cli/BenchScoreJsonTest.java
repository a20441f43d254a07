package dev.certmetric.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code bench-score --json}: exactly the documented keys, numbers where numbers belong. */
class BenchScoreJsonTest {

    @Test
    void writesExactlyTheContract(@TempDir Path dir) throws Exception {
        ScoreBenchmark.Results results = new ScoreBenchmark.Results(16, 8, 500,
                new ScoreBenchmark.Measurement("in-process", 10, 60000.5, 0.015, 0.04, 0.0002),
                new ScoreBenchmark.Measurement("kafka (saturated)", 10, 21000, 3.5, 9.25, 0),
                new ScoreBenchmark.Measurement("kafka (500/s paced)", 10, 500, 1.5, 2.0, 0),
                new ScoreBenchmark.Measurement("http", 10, 20000, 0.1, 0.5, 0));
        Path out = dir.resolve("bench.json");
        BenchScoreCommand.writeJson(results, out);
        JsonNode json = new ObjectMapper().readTree(out.toFile());
        assertEquals(List.of("p", "q", "exemplars", "in_process", "http", "kafka"), names(json));
        assertEquals(16, json.get("p").intValue());
        assertEquals(8, json.get("q").intValue());
        assertEquals(500, json.get("exemplars").intValue());
        for (String transport : List.of("in_process", "http", "kafka")) {
            assertEquals(List.of("answers_per_second", "p50_ms", "p99_ms"), names(json.get(transport)),
                    transport);
        }
        assertEquals(60000.5, json.get("in_process").get("answers_per_second").doubleValue());
        assertEquals(0.5, json.get("http").get("p99_ms").doubleValue());
        assertEquals(21000, json.get("kafka").get("answers_per_second").doubleValue());
        assertEquals(3.5, json.get("kafka").get("p50_ms").doubleValue());
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
