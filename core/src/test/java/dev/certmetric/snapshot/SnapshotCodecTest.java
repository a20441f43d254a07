package dev.certmetric.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.certmetric.preprocess.RowScaling;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SnapshotCodecTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static byte[] golden() throws IOException {
        return resource("/snapshot/example.json");
    }

    /** The golden example with its exemplars in the array form, as written before the compact one. */
    private static byte[] goldenArray() throws IOException {
        return resource("/snapshot/example-array.json");
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = SnapshotCodecTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    /** Re-wraps an edited body with a correct checksum, so only the edit is under test. */
    private static byte[] withBody(Consumer<ObjectNode> edit) throws Exception {
        return edited(SnapshotCodec.encode(SnapshotFixtures.example()), edit);
    }

    private static byte[] edited(byte[] snapshot, Consumer<ObjectNode> edit) throws Exception {
        ObjectNode body = (ObjectNode) JSON.readTree(snapshot).get("body");
        edit.accept(body);
        return wrap(JSON.writeValueAsBytes(body));
    }

    private static byte[] wrap(byte[] b) throws Exception {
        String sum = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        return ("{\"schemaVersion\":1,\"checksum\":\"" + sum + "\",\"body\":" + new String(b, StandardCharsets.UTF_8) + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String rejection(byte[] bytes) {
        return assertThrows(SnapshotFormatException.class, () -> SnapshotCodec.decode(bytes)).getMessage();
    }

    @Test
    void roundTripIsBitExact() {
        for (long seed = 0; seed < 20; seed++) {
            MetricSnapshot s = SnapshotFixtures.random(seed, 3, 7);
            MetricSnapshot back = SnapshotCodec.decode(SnapshotCodec.encode(s));
            assertEquals(s, back);
            assertArrayEquals(s.l(), back.l());
            assertArrayEquals(s.preprocessing().std(), back.preprocessing().std());
            assertEquals(s.checksum(), back.checksum());
        }
    }

    @Test
    void negativeZeroAndTinyValuesSurvive() {
        MetricSnapshot back = SnapshotCodec.decode(SnapshotCodec.encode(SnapshotFixtures.random(1, 2, 2)));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(back.trainingStats().marginP10()));
        assertEquals(Double.MIN_VALUE, back.trainingStats().marginP90());
    }

    @Test
    void goldenFileMatchesDocAndDecodes() throws Exception {
        String doc = Files.readString(Path.of("../docs/SNAPSHOT_FORMAT.md"));
        Matcher m = Pattern.compile("## Example.*?```json\\n(.*?)\\n```", Pattern.DOTALL).matcher(doc);
        assertTrue(m.find(), "example block in docs/SNAPSHOT_FORMAT.md");
        byte[] golden = golden();
        assertEquals(m.group(1), new String(golden, StandardCharsets.UTF_8), "doc example and golden file differ");

        MetricSnapshot s = SnapshotCodec.decode(golden);
        assertEquals(SnapshotFixtures.example(), s);
        assertEquals("iris-demo", s.modelName());
        assertEquals(2, s.metric().rank());
        assertArrayEquals(new double[] {1.0, 0.5, 0.0, -0.25, 2.0, 1.0E-5}, s.metric().l());
        assertArrayEquals(golden, SnapshotCodec.encode(s), "the example is exactly what the encoder writes");

        Matcher pretty = Pattern.compile("indented for reading.*?```json\\n(.*?)\\n```", Pattern.DOTALL).matcher(doc);
        assertTrue(pretty.find());
        assertEquals(JSON.readTree(golden).get("body"), JSON.readTree(pretty.group(1)), "indented body in the doc is stale");
    }

    @Test
    void rejectsChecksumMismatch() throws IOException {
        byte[] bytes = golden();
        String text = new String(bytes, StandardCharsets.UTF_8).replace("\"iris-demo\"", "\"iris-dema\"");
        assertTrue(rejection(text.getBytes(StandardCharsets.UTF_8)).startsWith("corrupt snapshot: checksum mismatch"));
    }

    @Test
    void rejectsReformattedEnvelope() throws IOException {
        String text = new String(golden(), StandardCharsets.UTF_8).replace("{\"schemaVersion\":1,", "{\"schemaVersion\": 1,");
        assertTrue(rejection(text.getBytes(StandardCharsets.UTF_8)).startsWith("corrupt snapshot: envelope"));
    }

    @Test
    void rejectsOtherSchemaVersions() throws IOException {
        String text = new String(golden(), StandardCharsets.UTF_8).replace("{\"schemaVersion\":1,", "{\"schemaVersion\":7,");
        assertEquals("incompatible snapshot: schema version 7 not supported (supported: 1)",
                rejection(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void rejectsMalformedJson() throws IOException {
        byte[] golden = golden();
        assertTrue(rejection(Arrays.copyOf(golden, golden.length - 1)).startsWith("malformed snapshot: not valid JSON"));
        assertTrue(rejection(new byte[0]).startsWith("malformed snapshot"));
        assertTrue(rejection("[1]".getBytes(StandardCharsets.UTF_8)).startsWith("malformed snapshot: expected a JSON object"));
        assertTrue(rejection("{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8)).startsWith("malformed snapshot"));
    }

    @Test
    void rejectsMissingEnvelopeField() {
        assertEquals("invalid snapshot: missing field checksum",
                rejection("{\"schemaVersion\":1,\"body\":{}}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void rejectsWrongLLength() throws Exception {
        byte[] bytes = withBody(b -> b.withArray("L").remove(0));
        assertEquals("invalid snapshot: L has 5 entries, expected q*p=6", rejection(bytes));
    }

    @Test
    void rejectsMissingAndUnknownFields() throws Exception {
        assertEquals("invalid snapshot: missing field body.hyperparameters.k",
                rejection(withBody(b -> ((ObjectNode) b.get("hyperparameters")).remove("k"))));
        assertEquals("invalid snapshot: unknown field body.colour", rejection(withBody(b -> b.put("colour", "red"))));
    }

    @Test
    void rejectsWrongTypes() throws Exception {
        assertEquals("invalid snapshot: body.p must be a 32-bit integer", rejection(withBody(b -> b.put("p", 3.0))));
        assertEquals("invalid snapshot: body.modelName must be a string", rejection(withBody(b -> b.put("modelName", 1))));
        assertEquals("invalid snapshot: body.L must be an array of numbers", rejection(withBody(b -> b.withArray("L").set(0, "x"))));
        assertTrue(rejection(withBody(b -> b.put("createdAt", "yesterday"))).contains("createdAt"));
    }

    @Test
    void rejectsOutOfRangeValues() throws Exception {
        assertEquals("invalid snapshot: need 1 <= q <= p <= 65536, got q=4, p=3", rejection(withBody(b -> b.put("q", 4))));
        assertEquals("invalid snapshot: version must be > 0, got 0", rejection(withBody(b -> b.put("version", 0))));
        String doc = new String(golden(), StandardCharsets.UTF_8);
        String body = doc.substring(104, doc.length() - 1);
        assertEquals("invalid snapshot: body.L[5] is not a finite double: Infinity",
                rejection(wrap(body.replace("1.0E-5", "1.0E400").getBytes(StandardCharsets.UTF_8))));
        assertEquals("invalid snapshot: exemplar label 'virginica' is not one of the classes [setosa, versicolor]",
                rejection(edited(goldenArray(), b -> ((ObjectNode) b.withArray("exemplars").get(0))
                        .put("label", "virginica"))));
        assertEquals("invalid snapshot: exemplar of class 'setosa' has 2 features, expected p=3",
                rejection(edited(goldenArray(), b -> ((ObjectNode) b.withArray("exemplars").get(0))
                        .withArray("features").remove(0))));
        assertTrue(rejection(withBody(b -> ((ObjectNode) b.get("trainingStats")).put("prequentialAccuracy", 1.5)))
                .startsWith("invalid snapshot: prequentialAccuracy"));
    }

    @Test
    void exemplarsWrittenAsAnArrayAreStillRead() throws Exception {
        assertEquals(SnapshotFixtures.example(), SnapshotCodec.decode(goldenArray()));
        for (long seed = 0; seed < 5; seed++) {
            MetricSnapshot s = SnapshotFixtures.random(seed, 3, 7);
            byte[] array = edited(SnapshotCodec.encode(s), b -> {
                com.fasterxml.jackson.databind.node.ArrayNode list = JSON.createArrayNode();
                for (Exemplar e : s.exemplars()) {
                    ObjectNode o = list.addObject().put("label", e.label());
                    Arrays.stream(e.features()).forEach(o.putArray("features")::add);
                }
                b.set("exemplars", list);
            });
            assertEquals(s, SnapshotCodec.decode(array));
        }
    }

    @Test
    void rejectsBadCompactExemplars() throws Exception {
        assertEquals("invalid snapshot: body.exemplars.encoding 'base64-float32-le' is not supported (supported: "
                + "base64-float64-le)", rejection(withBody(b -> ((ObjectNode) b.get("exemplars"))
                .put("encoding", "base64-float32-le"))));
        assertEquals("invalid snapshot: body.exemplars.classIndices[1] must be an index into body.classes",
                rejection(withBody(b -> ((ObjectNode) b.get("exemplars")).withArray("classIndices").set(1, 2))));
        assertEquals("invalid snapshot: body.exemplars.features holds 45 bytes, expected 2 exemplars x p=3 x 8",
                rejection(withBody(b -> {
                    ObjectNode ex = (ObjectNode) b.get("exemplars");
                    String f = ex.get("features").textValue();
                    ex.put("features", f.substring(0, f.length() - 4));
                })));
        assertTrue(rejection(withBody(b -> ((ObjectNode) b.get("exemplars")).put("features", "not base64!")))
                .startsWith("invalid snapshot: body.exemplars.features is not base64"));
        java.nio.ByteBuffer nan = java.nio.ByteBuffer.allocate(48).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        nan.putDouble(0.6).putDouble(Double.NaN);
        assertEquals("invalid snapshot: body.exemplars.features of exemplar 0, feature 1 = NaN is not finite within "
                + "the bound |x| <= 1000000.0", rejection(withBody(b -> ((ObjectNode) b.get("exemplars"))
                .put("features", java.util.Base64.getEncoder().encodeToString(nan.array())))));
        assertEquals("invalid snapshot: missing field body.exemplars.classIndices",
                rejection(withBody(b -> ((ObjectNode) b.get("exemplars")).remove("classIndices"))));
    }

    @Test
    void checksumDependsOnContent() {
        MetricSnapshot a = SnapshotFixtures.example();
        MetricSnapshot b = a.toBuilder().version(8).build();
        assertEquals(a, a.toBuilder().build());
        assertNotEquals(a.checksum(), b.checksum());
        assertEquals(64, a.checksum().length());
    }

    @Test
    void theOptionalRaceRoundTripsAndMustNameTheSnapshotsSettings() {
        MetricSnapshot plain = SnapshotFixtures.example();
        assertTrue(SnapshotCodec.decode(SnapshotCodec.encode(plain)).race().isEmpty(), "no race, no section");
        Hyperparameters h = plain.hyperparameters();
        RaceStandings race = new RaceStandings(0.5, 0.05, 1, java.util.List.of(
                new RaceStandings.Candidate(0.34, 20, 0.27, 0.03, RowScaling.UNIT_NORM, 300, 0.75, 0.5, 1.0, 300),
                new RaceStandings.Candidate(h.mu(), h.lambda(), h.tau(), h.learningRate(), RowScaling.UNIT_NORM, 1200, 0.9, 0.8, 1.3, 0)));
        MetricSnapshot raced = plain.toBuilder().race(race).build();
        byte[] bytes = SnapshotCodec.encode(raced);
        MetricSnapshot back = SnapshotCodec.decode(bytes);
        assertEquals(raced, back);
        assertEquals(race, back.race().orElseThrow());
        assertTrue(back.race().orElseThrow().decided());
        assertArrayEquals(bytes, SnapshotCodec.encode(back));
        assertNotEquals(plain.checksum(), raced.checksum());
        RaceStandings otherLeader = new RaceStandings(0.5, 0.05, 0, java.util.List.of(
                new RaceStandings.Candidate(0.34, 20, 0.27, 0.03, RowScaling.UNIT_NORM, 300, 0.75, 0.5, 1.0, 0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> plain.toBuilder().race(otherLeader).build());
        assertTrue(e.getMessage().contains("differ from the hyperparameters"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RaceStandings(0.5, 0.05, 0, java.util.List.of(
                new RaceStandings.Candidate(0.34, 20, 0.27, 0.03, RowScaling.UNIT_NORM, 300, 0.75, 0.5, 1.0, 300))), "leader must be alive");
    }
}
