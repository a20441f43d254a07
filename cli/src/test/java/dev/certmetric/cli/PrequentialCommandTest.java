package dev.certmetric.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.data.CsvDataset;
import dev.certmetric.train.LearnerSettings;
import dev.certmetric.train.StreamingLearner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrequentialCommandTest {
    @TempDir
    Path dir;

    /** One fixed shuffled order of iris (the bundled file is grouped by class). */
    private List<Integer> shuffledIris(CsvDataset iris) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < iris.rows(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(11));
        return order;
    }

    private Path writeCsv(CsvDataset iris, List<Integer> order) throws Exception {
        StringBuilder csv = new StringBuilder(String.join(",", iris.featureNames()) + ",label\n");
        for (int i : order) {
            for (double v : iris.row(i)) {
                csv.append(v).append(',');
            }
            csv.append(iris.label(i)).append('\n');
        }
        return Files.writeString(dir.resolve("iris-shuffled.csv"), csv);
    }

    private Path writeArff(CsvDataset iris, List<Integer> order) throws Exception {
        StringBuilder arff = new StringBuilder("% iris, shuffled\n@relation iris\n");
        iris.featureNames().forEach(f -> arff.append("@attribute '").append(f).append("' numeric\n"));
        arff.append("@attribute class {").append(String.join(",", iris.classes())).append("}\n@data\n");
        for (int i : order) {
            for (double v : iris.row(i)) {
                arff.append(v).append(',');
            }
            arff.append(iris.label(i)).append('\n');
        }
        return Files.writeString(dir.resolve("iris-shuffled.arff"), arff);
    }

    private static int run(StringWriter err, String... args) {
        var cl = CertmetricCli.commandLine();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        return cl.execute(args);
    }

    @Test
    void writesTheDocumentedJsonWithKappaOfThePredictionsAndAnHtmlReport() throws Exception {
        CsvDataset iris = CsvDataset.readResource("iris");
        List<Integer> order = shuffledIris(iris);
        Path csv = writeCsv(iris, order);
        Path json = dir.resolve("out.json");
        Path html = dir.resolve("out.html");
        StringWriter err = new StringWriter();
        assertEquals(0, run(err, "prequential", "--data", csv.toString(), "--json", json.toString(),
                "--report", html.toString()), err.toString());

        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertEquals(List.of("dataset", "events", "features", "classes", "accuracy", "kappa", "certified",
                "events_per_second", "settings", "curve"), fields(root));
        assertEquals("iris-shuffled.csv", root.get("dataset").asText());
        assertTrue(root.get("events").isIntegralNumber() && root.get("events").asInt() == 150);
        assertTrue(root.get("features").isIntegralNumber() && root.get("features").asInt() == 4);
        assertTrue(root.get("classes").isIntegralNumber() && root.get("classes").asInt() == 3);
        assertTrue(root.get("events_per_second").isNumber() && root.get("events_per_second").asDouble() > 0);
        assertEquals(List.of("0.05", "0.1"), fields(root.get("certified")));
        for (JsonNode c : root.get("certified")) {
            assertTrue(c.isNull() || c.isNumber() && c.asDouble() >= 0 && c.asDouble() <= 1, c.toString());
        }
        double accuracy = root.get("accuracy").asDouble();
        assertTrue(root.get("accuracy").isNumber() && accuracy >= 0 && accuracy <= 1);
        assertTrue(accuracy > 0.7, "three iris classes, chance 1/3, the first events unpredictable: " + accuracy);

        JsonNode curve = root.get("curve");
        assertEquals(100, curve.size());
        long previous = 0;
        for (JsonNode point : curve) {
            assertEquals(2, point.size());
            assertTrue(point.get(0).isIntegralNumber() && point.get(0).asLong() > previous);
            previous = point.get(0).asLong();
            assertTrue(point.get(1).asDouble() >= 0 && point.get(1).asDouble() <= 1);
        }
        assertEquals(150, previous);

        LearnerSettings defaults = CertmetricConfig.defaults().learnerSettings();
        JsonNode settings = root.get("settings");
        assertEquals(List.copyOf(CertmetricConfig.learnerKeys(defaults).keySet()), fields(settings));
        assertEquals(defaults.k(), settings.get("learner.k").asInt());
        assertTrue(settings.get("learner.k").isInt() && settings.get("learner.mu").isDouble()
                && settings.get("learner.step-rule").isTextual());

        // Brute force: the learner the job builds, driven by hand over the same order.
        StreamingLearner learner = new StreamingLearner(defaults, 4);
        int[][] confusion = new int[3][4];  // truth x predicted (3 = none)
        for (int t = 0; t < order.size(); t++) {
            int i = order.get(t);
            StreamingLearner.Outcome o = learner.testThenTrain(iris.row(i), iris.label(i), t);
            confusion[Integer.parseInt(iris.label(i))][o.predicted() == null ? 3 : Integer.parseInt(o.predicted())]++;
        }
        double agree = confusion[0][0] + confusion[1][1] + confusion[2][2];
        double pe = 0;
        for (int c = 0; c < 3; c++) {
            double truth = confusion[c][0] + confusion[c][1] + confusion[c][2] + confusion[c][3];
            double predicted = confusion[0][c] + confusion[1][c] + confusion[2][c];
            pe += truth / 150 * predicted / 150;
        }
        assertEquals(agree / 150, accuracy, 1e-12);
        assertEquals((agree / 150 - pe) / (1 - pe), root.get("kappa").asDouble(), 1e-12);

        String page = Files.readString(html);
        assertTrue(page.contains("<svg") && page.contains("Certified accuracy along the stream"));
        // Iris: 4 features, full rank; the vote's k is one of the race's odd candidates.
        assertTrue(page.matches("(?s).*Chosen on the stream: k = (1|3|5|7|9|11|15) of the last [0-9]+ events a class, "
                + "rank 4 of 4, (scaled|unit-norm) rows, the (learned|Euclidean) metric.*, \\d+ drifts?\\..*"),
                "the report names what the learner chose");
        assertFalse(err.toString().contains("Exception"), err.toString());
    }

    @Test
    void arffGivesTheSameResultAsTheCsvOfTheSameRowsAndSettingsComeFromSet() throws Exception {
        CsvDataset iris = CsvDataset.readResource("iris");
        List<Integer> order = shuffledIris(iris);
        Path fromCsv = dir.resolve("csv.json");
        Path fromArff = dir.resolve("arff.json");
        StringWriter err = new StringWriter();
        assertEquals(0, run(err, "prequential", "--data", writeCsv(iris, order).toString(), "--set", "learner.k=5",
                "--json", fromCsv.toString()), err.toString());
        assertEquals(0, run(err, "prequential", "--data", writeArff(iris, order).toString(), "--set", "learner.k=5",
                "--json", fromArff.toString()), err.toString());
        ObjectMapper mapper = new ObjectMapper();
        JsonNode csv = mapper.readTree(fromCsv.toFile());
        JsonNode arff = mapper.readTree(fromArff.toFile());
        assertEquals("iris-shuffled.arff", arff.get("dataset").asText());
        assertEquals(5, arff.get("settings").get("learner.k").asInt());
        for (String key : List.of("events", "features", "classes", "accuracy", "kappa", "certified", "settings", "curve")) {
            assertEquals(csv.get(key), arff.get(key), key);
        }
    }

    @Test
    void malformedArffExitsTwoWithOneLineNamingTheLine() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.arff"),
                "@relation r\n@attribute x numeric\n@attribute c {a,b}\n@data\n1,a\n2,b\n3,c\n");
        StringWriter err = new StringWriter();
        assertEquals(2, run(err, "prequential", "--data", bad.toString()));
        String message = err.toString().trim();
        assertTrue(message.startsWith("error: bad.arff: data row 3 (line 7)") && message.contains("'c'"), message);
        assertFalse(message.contains("\n") || message.contains("Exception"), "one line, no stack trace: " + message);
    }

    @Test
    void badSettingNamesTheKeyAndRange() {
        StringWriter err = new StringWriter();
        assertEquals(2, run(err, "prequential", "--data", "iris", "--set", "learner.k=0"));
        assertTrue(err.toString().contains("learner.k") && err.toString().contains("[1, 50]"), err.toString());
    }

    private static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
