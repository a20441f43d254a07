package dev.certmetric.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo command end to end (embedded broker, Flink MiniCluster, the scorer): its JSON summary, the
 * scorer figures in its output and the HTML report.
 */
@Tag("integration")
class DemoCommandTest {

    @Test
    void demoScoresTheHoldoutThroughTheScorerAndWritesJsonAndReport(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("demo.json");
        Path report = dir.resolve("demo.html");
        StringWriter out = new StringWriter();
        picocli.CommandLine cl = CertmetricCli.commandLine();
        cl.setOut(new PrintWriter(out));
        // Port 0: the metrics endpoint must not depend on 9249 being free on the machine running the tests.
        Path config = java.nio.file.Files.writeString(dir.resolve("certmetric.yaml"), "metrics:\n  port: 0\n");
        int code = cl.execute("demo", "--dataset", "wine", "--events", "3000", "--json", json.toString(),
                "--report", report.toString(), "--config", config.toString());
        assertEquals(0, code, out.toString());
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        List<String> fields = new ArrayList<>();
        j.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("events_produced", "events_processed", "events_invalid", "snapshots", "first_version",
                "last_version", "versions_strictly_increasing", "prequential_accuracy", "holdout_accuracy",
                "wall_seconds", "events_per_second"), fields);
        assertEquals(3000, j.get("events_produced").asLong());
        assertEquals(3000, j.get("events_processed").asLong());
        assertEquals(0, j.get("events_invalid").asLong());
        assertTrue(j.get("versions_strictly_increasing").asBoolean());
        assertTrue(j.get("snapshots").asLong() >= 1);
        assertEquals(j.get("snapshots").asLong(), j.get("last_version").asLong() - j.get("first_version").asLong() + 1);
        assertTrue(j.get("holdout_accuracy").get("learned").asDouble() > 0.8, out.toString());
        String text = out.toString();
        System.out.println(text);
        // the learned figures come from the scorer's answers, stamped with the version that answered
        long last = j.get("last_version").asLong();
        assertTrue(Pattern.compile("held-out rows \\(\\d+\\) sent to the scorer as requests, answered by v" + last + " ")
                .matcher(text).find(), text);
        Matcher m = Pattern.compile("learned-metric accuracy ([0-9.]+)").matcher(text);
        assertTrue(m.find(), text);
        assertEquals(j.get("holdout_accuracy").get("learned").asDouble(), Double.parseDouble(m.group(1)), 1e-4);
        Matcher cert = Pattern.compile("certified accuracy ([0-9.]+) at r=0.02, ([0-9.]+) at r=0.05, ([0-9.]+) at r=0.1")
                .matcher(text);
        assertTrue(cert.find(), text);
        double c1 = Double.parseDouble(cert.group(1));
        double c3 = Double.parseDouble(cert.group(3));
        assertTrue(c1 <= Double.parseDouble(m.group(1)) && c3 <= c1, text);
        assertTrue(text.contains("median certified radius "), text);
        assertTrue(text.contains("mean anomaly score "), text);
        assertTrue(text.contains("computed locally"), text);

        String html = Files.readString(report);
        assertTrue(html.startsWith("<!DOCTYPE html>"), html);
        assertEquals(5, html.split("<svg ", -1).length - 1, "five charts");
        for (String title : List.of("Prequential accuracy", "Snapshot version vs wall time", "Adversarial margin quantiles",
                "Held-out 3-NN accuracy, clean and under Gaussian noise", "Certified held-out accuracy")) {
            assertTrue(html.contains(title), title);
        }
        assertTrue(html.contains("<polyline points=\"") && html.contains("euclidean (local)")
                && html.contains("learned (scorer)") && html.contains(">p90<"), "series");
        assertFalse(html.contains("http://") && html.replace("http://www.w3.org/2000/svg", "").contains("http://"),
                "no external assets");
        assertFalse(html.contains("<script") || html.contains("<link"), "no external assets");
    }

    @Test
    void badArgumentsExitWithCode2() {
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = CertmetricCli.commandLine();
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("demo", "--events", "0"));
        assertTrue(err.toString().contains("--events"), err.toString());
        assertEquals(2, cl.execute("demo", "--dataset", "nope"));
        assertEquals(2, cl.execute("demo", "--checkpoint-ms", "50"));
        assertTrue(err.toString().contains("--checkpoint-ms must be in [100, 3600000], got 50"), err.toString());
        assertEquals(2, cl.execute("learn", "--bootstrap", "127.0.0.1:1", "--set", "learner.k=0"));
    }
}
