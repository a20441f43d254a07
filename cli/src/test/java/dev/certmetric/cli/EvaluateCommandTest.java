package dev.certmetric.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvaluateCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesTheDocumentedJsonAndAnHtmlReport() throws Exception {
        Path json = dir.resolve("out.json");
        Path html = dir.resolve("out.html");
        int code = CertmetricCli.commandLine().execute("evaluate", "--data", "iris", "--rounds", "2",
                "--json", json.toString(), "--report", html.toString());
        assertEquals(0, code);
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertEquals(List.of("dataset", "rows", "features", "rounds", "seed", "methods"), fields(root));
        assertEquals(150, root.get("rows").asInt());
        assertEquals(List.of("euclidean", "lmnn", "lmnn-pl", "sgd-pl"), fields(root.get("methods")));
        JsonNode pl = root.get("methods").get("lmnn-pl");
        assertEquals(List.of("accuracy", "noisy", "certified", "fit_seconds"), fields(pl));
        assertEquals(List.of("0.05", "0.1", "0.2"), fields(pl.get("noisy")));
        assertEquals(List.of("0.02", "0.05", "0.1"), fields(pl.get("certified")));
        assertTrue(pl.get("accuracy").get("mean").asDouble() > 0.8);
        assertTrue(Files.readString(html).contains("<svg"));
    }

    @Test
    void tuneAndCertifiedAccuracyNeverAboveCleanAccuracy() throws Exception {
        Path json = dir.resolve("tuned.json");
        assertEquals(0, CertmetricCli.commandLine().execute("evaluate", "--data", "iris", "--rounds", "1",
                "--methods", "lmnn-pl,sgd-pl", "--tune", "--radii", "0.01,0.05,0.2", "--json", json.toString()));
        JsonNode methods = new ObjectMapper().readTree(json.toFile()).get("methods");
        for (String m : List.of("lmnn-pl", "sgd-pl")) {
            double clean = methods.get(m).get("accuracy").get("mean").asDouble();
            JsonNode certified = methods.get(m).get("certified");
            double previous = clean;
            for (String r : List.of("0.01", "0.05", "0.2")) {
                double c = certified.get(r).asDouble();
                assertTrue(c <= previous + 1e-12, m + ": certified accuracy must fall with the radius");
                previous = c;
            }
            assertTrue(clean > 0.8, m + " accuracy " + clean);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "ragged row|a,b,label\\n1,2,0\\n3,1\\n|data row 2 (line 3)",
        "non-numeric|a,b,label\\n1,2,0\\n3,x,1\\n|column 'b' (#2)",
        "single class|a,b,label\\n1,2,0\\n3,4,0\\n|single class",
        "NaN|a,b,label\\n1,NaN,0\\n3,4,1\\n|non-finite",
        "empty|''|empty file"})
    void badCsvGivesOneLineErrorAndExitCode2(String name, String content, String expected) throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, content.replace("\\n", "\n"));
        StringWriter err = new StringWriter();
        var cl = CertmetricCli.commandLine();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("evaluate", "--data", csv.toString(), "--rounds", "1");
        assertEquals(2, code);
        String message = err.toString().trim();
        assertTrue(message.startsWith("error: ") && message.contains(expected), message);
        assertFalse(message.contains("\n") || message.contains("Exception"), "one line, no stack trace: " + message);
    }

    @Test
    void badOptionNamesTheOptionAndRange() {
        StringWriter err = new StringWriter();
        var cl = CertmetricCli.commandLine();
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("evaluate", "--data", "iris", "--test-fraction", "1.5"));
        assertTrue(err.toString().contains("--test-fraction") && err.toString().contains("(0, 1)"), err.toString());
    }

    private static List<String> fields(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
