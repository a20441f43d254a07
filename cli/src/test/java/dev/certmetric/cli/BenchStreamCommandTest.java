package dev.certmetric.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bench-stream}: one line and one JSON row per round, the learner's settings from --set, a dataset cycled, bad input named. */
class BenchStreamCommandTest {
    @Test
    void reportsEveryRoundInCpuAndWallTime(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        picocli.CommandLine cl = CertmetricCli.commandLine();
        cl.setOut(new PrintWriter(out));
        Path json = dir.resolve("stream.json");
        int code = cl.execute("bench-stream", "--dim", "80", "--classes", "3", "--events", "2000", "--rounds", "2",
                "--set", "learner.window.per-class=20", "--json", json.toString());
        assertEquals(0, code, out.toString());
        assertTrue(out.toString().contains("p=80 features, 3 classes, rank 32"), out.toString());
        JsonNode rounds = new ObjectMapper().readTree(json.toFile());
        assertEquals(2, rounds.size());
        for (JsonNode r : rounds) {
            assertTrue(r.get("cpu_us_per_event").doubleValue() > 0);
            assertTrue(r.get("wall_events_per_second").doubleValue() > 0);
            // Three classes shifted along their own features: far above chance once learned.
            assertTrue(r.get("accuracy").doubleValue() > 0.6, r.toString());
        }
    }

    @Test
    void cyclesADatasetsRows() {
        StringWriter out = new StringWriter();
        picocli.CommandLine cl = CertmetricCli.commandLine();
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute("bench-stream", "--data", "iris", "--events", "3000", "--rounds", "1"), out.toString());
        assertTrue(out.toString().contains("iris.csv, p=4 features, 3 classes, rank 4"), out.toString());
        // Iris's rows cycled: learned well above chance within one round.
        assertTrue(Double.parseDouble(out.toString().replaceAll("(?s).*prequential accuracy ([0-9.]+).*", "$1")) > 0.8,
                out.toString());
    }

    @Test
    void rejectsBadArguments() {
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = CertmetricCli.commandLine();
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("bench-stream", "--classes", "1"));
        assertTrue(err.toString().contains("--classes"), err.toString());
        assertEquals(2, cl.execute("bench-stream", "--set", "learner.k=0", "--events", "1000", "--rounds", "1"));
        assertTrue(err.toString().contains("learner.k"), err.toString());
    }
}
