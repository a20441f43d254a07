package dev.certmetric.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo command end to end (embedded broker, MiniCluster), checking its JSON summary. */
class DemoCommandTest {

    @Test
    void demoWritesTheDocumentedJsonSummary(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("demo.json");
        StringWriter out = new StringWriter();
        picocli.CommandLine cl = CertmetricCli.commandLine();
        cl.setOut(new PrintWriter(out));
        int code = cl.execute("demo", "--dataset", "iris", "--events", "3000", "--json", json.toString());
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
        assertTrue(out.toString().contains("held-out 3-NN accuracy"), out.toString());
    }

    @Test
    void badArgumentsExitWithCode2() {
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = CertmetricCli.commandLine();
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("demo", "--events", "0"));
        assertTrue(err.toString().contains("--events"), err.toString());
        assertEquals(2, cl.execute("demo", "--dataset", "nope"));
        assertEquals(2, cl.execute("learn", "--bootstrap", "127.0.0.1:1", "--set", "learner.k=0"));
    }
}
