package dev.certmetric.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo's held-out comparison at the default configuration: the scorer's answers (k-NN over the
 * snapshot's exemplars) are at least as accurate as Euclidean 3-NN with every training row as a
 * reference. Segment's classes (about 230 training rows each), vehicle's (150) and digits' (126) exceed
 * the learner's window of 100, so the test fails when the snapshot carries too small a part of the
 * stream (segment lost 8 of 693 rows with the window alone) or the learned metric is worse than
 * Euclidean. On breast-cancer the two metrics tie on the stream and the learned one lost held-out rows (2 or 3 at
 * seed 42, depending on where the checkpoints fell): the Euclidean guard's publication margin now serves the
 * identity there. BENCHMARKS.md sections 4d, 4g, 4k and 4l have every bundled set, over nine splits in 4l.
 */
@Tag("integration")
class DemoHoldoutTest {

    @ParameterizedTest
    @ValueSource(strings = {"segment", "vehicle", "digits", "breast-cancer"})
    void scorerIsAtLeastAsAccurateAsEuclideanOverAllTrainingRows(String name, @TempDir Path dir) throws Exception {
        Path file = Path.of("..", "bench", "datasets", name + ".csv");
        String[] data = Files.isRegularFile(file) ? new String[] {"--data", file.toString()}
                : new String[] {"--dataset", name};
        Path json = dir.resolve("demo.json");
        // Only the metrics port differs from the defaults: 9249 may be taken on the machine running the tests.
        Path config = Files.writeString(dir.resolve("certmetric.yaml"), "metrics:\n  port: 0\n");
        StringWriter out = new StringWriter();
        picocli.CommandLine cl = CertmetricCli.commandLine();
        cl.setOut(new PrintWriter(out));
        int code = cl.execute("demo", data[0], data[1], "--events", "20000", "--seed", "42",
                "--config", config.toString(), "--json", json.toString());
        assertEquals(0, code, out.toString());
        JsonNode holdout = new ObjectMapper().readTree(json.toFile()).get("holdout_accuracy");
        double euclidean = holdout.get("euclidean").asDouble();
        double scorer = holdout.get("learned").asDouble();
        assertTrue(scorer >= euclidean, name + ": the scorer's held-out accuracy " + scorer
                + " is below Euclidean 3-NN's " + euclidean + " over all training rows\n" + out);
    }
}
