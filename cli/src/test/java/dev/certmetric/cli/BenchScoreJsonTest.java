package dev.certmetric.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code bench-score --json}: exactly the documented keys, numbers where numbers belong, both Kafka guarantees. */
class BenchScoreJsonTest {

    @Test
    void writesExactlyTheContract(@TempDir Path dir) throws Exception {
        java.util.Map<String, ScoreBenchmark.Measurement> kafka = new java.util.LinkedHashMap<>();
        kafka.put("at_least_once", new ScoreBenchmark.Measurement("kafka at_least_once (saturated)", 10, 21000, 3.5, 9.25, 0));
        kafka.put("exactly_once_v2", new ScoreBenchmark.Measurement("kafka exactly_once_v2 (saturated)", 10, 5200, 80, 150, 0));
        ScoreBenchmark.Results results = new ScoreBenchmark.Results(16, 8, 500,
                new ScoreBenchmark.Measurement("in-process", 10, 60000.5, 0.015, 0.04, 0.0002),
                new ScoreBenchmark.Measurement("http", 10, 20000, 0.1, 0.5, 0), kafka);
        Path out = dir.resolve("bench.json");
        BenchScoreCommand.writeJson(results, out);
        JsonNode json = new ObjectMapper().readTree(out.toFile());
        assertEquals(List.of("p", "q", "exemplars", "in_process", "http", "kafka"), names(json));
        assertEquals(16, json.get("p").intValue());
        assertEquals(8, json.get("q").intValue());
        assertEquals(500, json.get("exemplars").intValue());
        for (String transport : List.of("in_process", "http")) {
            assertEquals(List.of("answers_per_second", "p50_ms", "p99_ms"), names(json.get(transport)),
                    transport);
        }
        assertEquals(List.of("at_least_once", "exactly_once_v2"), names(json.get("kafka")));
        for (String guarantee : List.of("at_least_once", "exactly_once_v2")) {
            assertEquals(List.of("answers_per_second", "p50_ms", "p99_ms"), names(json.get("kafka").get(guarantee)),
                    guarantee);
        }
        assertEquals(60000.5, json.get("in_process").get("answers_per_second").doubleValue());
        assertEquals(0.5, json.get("http").get("p99_ms").doubleValue());
        assertEquals(21000, json.get("kafka").get("at_least_once").get("answers_per_second").doubleValue());
        assertEquals(3.5, json.get("kafka").get("at_least_once").get("p50_ms").doubleValue());
        assertEquals(5200, json.get("kafka").get("exactly_once_v2").get("answers_per_second").doubleValue());
        assertEquals(150, json.get("kafka").get("exactly_once_v2").get("p99_ms").doubleValue());
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
