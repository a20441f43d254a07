package dev.certmetric.snapshot;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.certmetric.preprocess.OnlineStandardizer;
import dev.certmetric.preprocess.RowScaling;
import dev.certmetric.preprocess.Standardizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The snapshot wire format, specified in docs/SNAPSHOT_FORMAT.md:
 * {@code {"schemaVersion":1,"checksum":"<sha-256 hex of body>","body":{...}}} with no whitespace
 * outside the body. The checksum covers the body's bytes exactly as sent, so a reader verifies it
 * without re-serialising anything. Doubles are written with {@link Double#toString}, which
 * round-trips every finite double exactly; the exemplars' features as little-endian IEEE 754 doubles in
 * base64, which round-trip every bit. Exemplars written as an array of JSON objects (the form before the
 * compact one) are still read.
 */
public final class SnapshotCodec {
    /** The compact exemplar section's declared encoding (docs/SNAPSHOT_FORMAT.md). */
    public static final String EXEMPLAR_ENCODING = "base64-float64-le";
    private static final JsonFactory FACTORY = new JsonFactory();
    // The compact exemplars are one string as long as the snapshot (Jackson's default limit is 20 M characters);
    // the snapshot's size is bounded where it is read (snapshots.max-bytes).
    private static final ObjectMapper READER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private SnapshotCodec() {
    }

    public static byte[] encode(MetricSnapshot s) {
        byte[] body = body(s);
        byte[] prefix = prefix(sha256(body)).getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(prefix, prefix.length + body.length + 1);
        System.arraycopy(body, 0, out, prefix.length, body.length);
        out[out.length - 1] = '}';
        return out;
    }

    /** See {@link MetricSnapshot#checksum()}. */
    static String checksum(MetricSnapshot s) {
        return sha256(body(s));
    }

    /**
     * @throws SnapshotFormatException if the bytes are not JSON, the envelope or checksum is wrong,
     *     the schema version is unsupported, or a field is missing, unknown, mistyped or invalid
     */
    public static MetricSnapshot decode(byte[] bytes) {
        JsonNode root;
        try {
            root = READER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new SnapshotFormatException("malformed snapshot: not valid JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (root == null || !root.isObject()) {
            throw new SnapshotFormatException("malformed snapshot: expected a JSON object");
        }
        fields(root, "", "schemaVersion", "checksum", "body");
        int schemaVersion = intField(root, "", "schemaVersion");
        if (schemaVersion != MetricSnapshot.SCHEMA_VERSION) {
            throw new SnapshotFormatException("incompatible snapshot: schema version " + schemaVersion
                    + " not supported (supported: " + MetricSnapshot.SCHEMA_VERSION + ")");
        }
        String checksum = text(root, "", "checksum");
        byte[] prefix = prefix(checksum).getBytes(StandardCharsets.UTF_8);
        if (!checksum.matches("[0-9a-f]{64}") || bytes.length < prefix.length + 1 || bytes[bytes.length - 1] != '}'
                || !Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length)) {
            throw new SnapshotFormatException("corrupt snapshot: envelope is not {\"schemaVersion\":1,\"checksum\":\"<64 hex>\","
                    + "\"body\":{...}} without whitespace outside the body");
        }
        String actual = sha256(Arrays.copyOfRange(bytes, prefix.length, bytes.length - 1));
        if (!actual.equals(checksum)) {
            throw new SnapshotFormatException("corrupt snapshot: checksum mismatch (envelope " + checksum + ", body hashes to "
                    + actual + ")");
        }
        try {
            return readBody(object(root, "", "body"));
        } catch (SnapshotFormatException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new SnapshotFormatException("invalid snapshot: " + e.getMessage());
        }
    }

    private static String prefix(String checksum) {
        return "{\"schemaVersion\":" + MetricSnapshot.SCHEMA_VERSION + ",\"checksum\":\"" + checksum + "\",\"body\":";
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM provides SHA-256", e);
        }
    }

    // ---- writing: field order is part of the format (docs/SNAPSHOT_FORMAT.md) ----

    private static byte[] body(MetricSnapshot s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("modelName", s.modelName());
            g.writeNumberField("version", s.version());
            g.writeStringField("createdAt", s.createdAt().toString());
            g.writeNumberField("p", s.p());
            g.writeNumberField("q", s.q());
            g.writeFieldName("L");
            doubles(g, s.l());
            g.writeObjectFieldStart("preprocessing");
            g.writeFieldName("mean");
            doubles(g, s.preprocessing().mean());
            g.writeFieldName("std");
            doubles(g, s.preprocessing().std());
            g.writeStringField("rows", s.preprocessing().rows().name());
            g.writeEndObject();
            Hyperparameters h = s.hyperparameters();
            g.writeObjectFieldStart("hyperparameters");
            g.writeNumberField("k", h.k());
            g.writeNumberField("impostors", h.impostors());
            number(g, "mu", h.mu());
            number(g, "lambda", h.lambda());
            number(g, "tau", h.tau());
            g.writeNumberField("rank", h.rank());
            g.writeStringField("stepRule", h.stepRule());
            number(g, "learningRate", h.learningRate());
            g.writeNumberField("windowPerClass", h.windowPerClass());
            g.writeNumberField("batchSize", h.batchSize());
            g.writeObjectFieldStart("extra");
            for (Map.Entry<String, String> e : h.extra().entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
            TrainingStats t = s.trainingStats();
            g.writeObjectFieldStart("trainingStats");
            g.writeNumberField("eventsSeen", t.eventsSeen());
            g.writeNumberField("updates", t.updates());
            number(g, "prequentialAccuracy", t.prequentialAccuracy());
            number(g, "meanLoss", t.meanLoss());
            g.writeObjectFieldStart("marginQuantiles");
            number(g, "p10", t.marginP10());
            number(g, "p50", t.marginP50());
            number(g, "p90", t.marginP90());
            g.writeEndObject();
            g.writeFieldName("anomalyCalibration");
            doubles(g, t.anomalyCalibration());
            g.writeEndObject();
            g.writeArrayFieldStart("classes");
            for (String c : s.classes()) {
                g.writeString(c);
            }
            g.writeEndArray();
            exemplars(g, s);
            if (s.race().isPresent()) {
                race(g, s.race().get());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    /**
     * The exemplars in the compact form: each one's index in {@code classes}, and all their features as one base64
     * string of little-endian IEEE 754 doubles, row after row. Half the bytes of JSON numbers, and encoded and
     * decoded without formatting or parsing a number (a snapshot of 26,000 exemplars took seconds as numbers).
     */
    private static void exemplars(JsonGenerator g, MetricSnapshot s) throws IOException {
        List<Exemplar> exemplars = s.exemplars();
        Map<String, Integer> index = new java.util.HashMap<>();
        for (String c : s.classes()) {
            index.put(c, index.size());
        }
        g.writeObjectFieldStart("exemplars");
        g.writeStringField("encoding", EXEMPLAR_ENCODING);
        g.writeArrayFieldStart("classIndices");
        for (Exemplar e : exemplars) {
            g.writeNumber(index.get(e.label()));
        }
        g.writeEndArray();
        ByteBuffer rows = ByteBuffer.allocate(Math.multiplyExact(exemplars.size(), s.p() * Double.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        for (Exemplar e : exemplars) {
            for (double v : e.features()) {
                rows.putDouble(v);
            }
        }
        g.writeStringField("features", Base64.getEncoder().encodeToString(rows.array()));
        g.writeEndObject();
    }

    private static void race(JsonGenerator g, RaceStandings r) throws IOException {
        g.writeObjectFieldStart("race");
        number(g, "certifiedWeight", r.certifiedWeight());
        number(g, "certifiedRadius", r.certifiedRadius());
        g.writeNumberField("leader", r.leader());
        g.writeArrayFieldStart("candidates");
        for (RaceStandings.Candidate c : r.candidates()) {
            g.writeStartObject();
            number(g, "mu", c.mu());
            number(g, "lambda", c.lambda());
            number(g, "tau", c.tau());
            number(g, "learningRate", c.learningRate());
            g.writeStringField("rows", c.rows().name());
            g.writeNumberField("events", c.events());
            number(g, "accuracy", c.accuracy());
            number(g, "certifiedAccuracy", c.certifiedAccuracy());
            number(g, "score", c.score());
            g.writeNumberField("eliminatedAt", c.eliminatedAt());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void number(JsonGenerator g, String name, double v) throws IOException {
        g.writeFieldName(name);
        g.writeNumber(Double.toString(v));  // pinned to Double.toString, whatever Jackson's writer settings
    }

    private static void doubles(JsonGenerator g, double[] values) throws IOException {
        g.writeStartArray();
        for (double v : values) {
            g.writeNumber(Double.toString(v));
        }
        g.writeEndArray();
    }

    // ---- reading: every field is required (but the optional race) and no others are allowed ----

    private static MetricSnapshot readBody(JsonNode body) {
        List<String> expected = new ArrayList<>(List.of("modelName", "version", "createdAt", "p", "q", "L",
                "preprocessing", "hyperparameters", "trainingStats", "classes", "exemplars"));
        if (body.has("race")) {
            expected.add("race");
        }
        fields(body, "body", expected.toArray(String[]::new));
        int p = intField(body, "body", "p");
        int q = intField(body, "body", "q");
        if (p < 1 || p > MetricSnapshot.MAX_DIMENSION || q < 1 || q > p) {
            throw new SnapshotFormatException("invalid snapshot: need 1 <= q <= p <= " + MetricSnapshot.MAX_DIMENSION
                    + ", got q=" + q + ", p=" + p);
        }
        JsonNode pre = object(body, "body", "preprocessing");
        RowScaling rows = rows(pre, "body.preprocessing", "mean", "std");
        double[] mean = boundedArray(pre, "body.preprocessing", "mean", OnlineStandardizer.MAX_ABS_FEATURE);
        double[] std = boundedArray(pre, "body.preprocessing", "std", OnlineStandardizer.MAX_ABS_FEATURE);
        if (mean.length != p || std.length != p) {
            throw new SnapshotFormatException("invalid snapshot: preprocessing mean and std need p=" + p + " entries, got "
                    + mean.length + " and " + std.length);
        }
        String createdAt = text(body, "body", "createdAt");
        Instant created;
        try {
            created = Instant.parse(createdAt);
        } catch (DateTimeParseException e) {
            throw new SnapshotFormatException("invalid snapshot: body.createdAt is not an ISO-8601 UTC instant: '" + createdAt + "'");
        }
        List<String> classes = new ArrayList<>();
        for (JsonNode c : array(body, "body", "classes")) {
            if (!c.isTextual()) {
                throw new SnapshotFormatException("invalid snapshot: body.classes must hold strings");
            }
            classes.add(c.textValue());
        }
        JsonNode ex = body.get("exemplars");
        List<Exemplar> exemplars = ex.isObject() ? compactExemplars(ex, classes, p) : arrayExemplars(ex);
        return MetricSnapshot.builder()
                .modelName(text(body, "body", "modelName"))
                .version(longField(body, "body", "version"))
                .createdAt(created)
                .l(q, p, boundedArray(body, "body", "L", MetricSnapshot.MAX_ABS_L))
                .preprocessing(new Standardizer(mean, std, rows))
                .hyperparameters(readHyperparameters(object(body, "body", "hyperparameters")))
                .trainingStats(readStats(object(body, "body", "trainingStats")))
                .classes(classes)
                .exemplars(exemplars)
                .race(body.has("race") ? readRace(object(body, "body", "race")) : null)
                .build();
    }

    /** The compact form ({@link #exemplars(JsonGenerator, MetricSnapshot)}). */
    private static List<Exemplar> compactExemplars(JsonNode ex, List<String> classes, int p) {
        String at = "body.exemplars";
        fields(ex, at, "encoding", "classIndices", "features");
        String encoding = text(ex, at, "encoding");
        if (!encoding.equals(EXEMPLAR_ENCODING)) {
            throw new SnapshotFormatException("invalid snapshot: " + at + ".encoding '" + encoding
                    + "' is not supported (supported: " + EXEMPLAR_ENCODING + ")");
        }
        JsonNode indices = array(ex, at, "classIndices");
        int n = indices.size();
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text(ex, at, "features"));
        } catch (IllegalArgumentException e) {
            throw new SnapshotFormatException("invalid snapshot: " + at + ".features is not base64: " + e.getMessage());
        }
        if (bytes.length != (long) n * p * Double.BYTES) {
            throw new SnapshotFormatException("invalid snapshot: " + at + ".features holds " + bytes.length
                    + " bytes, expected " + n + " exemplars x p=" + p + " x 8");
        }
        ByteBuffer rows = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Exemplar> exemplars = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            JsonNode c = indices.get(i);
            if (!c.isIntegralNumber() || !c.canConvertToInt() || c.intValue() < 0 || c.intValue() >= classes.size()) {
                throw new SnapshotFormatException("invalid snapshot: " + at + ".classIndices[" + i
                        + "] must be an index into body.classes");
            }
            double[] x = new double[p];
            for (int f = 0; f < p; f++) {
                x[f] = rows.getDouble();
                if (!(Math.abs(x[f]) <= MetricSnapshot.MAX_ABS_EXEMPLAR)) {
                    throw new SnapshotFormatException("invalid snapshot: " + at + ".features of exemplar " + i
                            + ", feature " + f + " = " + x[f] + " is not finite within the bound |x| <= "
                            + MetricSnapshot.MAX_ABS_EXEMPLAR);
                }
            }
            exemplars.add(new Exemplar(classes.get(c.intValue()), x));
        }
        return exemplars;
    }

    /** The array form, written before the compact one: one {"label", "features": [numbers]} object per exemplar. */
    private static List<Exemplar> arrayExemplars(JsonNode ex) {
        if (!ex.isArray()) {
            throw wrongType("body", "exemplars", "an object or an array");
        }
        List<Exemplar> exemplars = new ArrayList<>();
        for (int i = 0; i < ex.size(); i++) {
            String path = "body.exemplars[" + i + "]";
            JsonNode e = ex.get(i);
            if (!e.isObject()) {
                throw new SnapshotFormatException("invalid snapshot: " + path + " must be an object");
            }
            fields(e, path, "label", "features");
            exemplars.add(new Exemplar(text(e, path, "label"),
                    boundedArray(e, path, "features", MetricSnapshot.MAX_ABS_EXEMPLAR)));
        }
        return exemplars;
    }

    private static RaceStandings readRace(JsonNode r) {
        String at = "body.race";
        fields(r, at, "certifiedWeight", "certifiedRadius", "leader", "candidates");
        List<RaceStandings.Candidate> candidates = new ArrayList<>();
        JsonNode list = array(r, at, "candidates");
        for (int i = 0; i < list.size(); i++) {
            String path = at + ".candidates[" + i + "]";
            JsonNode c = list.get(i);
            if (!c.isObject()) {
                throw new SnapshotFormatException("invalid snapshot: " + path + " must be an object");
            }
            RowScaling rows = rows(c, path, "mu", "lambda", "tau", "learningRate", "events", "accuracy",
                    "certifiedAccuracy", "score", "eliminatedAt");
            candidates.add(new RaceStandings.Candidate(doubleField(c, path, "mu"), doubleField(c, path, "lambda"),
                    doubleField(c, path, "tau"), doubleField(c, path, "learningRate"), rows, longField(c, path, "events"),
                    doubleField(c, path, "accuracy"), doubleField(c, path, "certifiedAccuracy"),
                    doubleField(c, path, "score"), longField(c, path, "eliminatedAt")));
        }
        return new RaceStandings(doubleField(r, at, "certifiedWeight"), doubleField(r, at, "certifiedRadius"),
                intField(r, at, "leader"), candidates);
    }

    private static Hyperparameters readHyperparameters(JsonNode h) {
        String at = "body.hyperparameters";
        fields(h, at, "k", "impostors", "mu", "lambda", "tau", "rank", "stepRule", "learningRate", "windowPerClass",
                "batchSize", "extra");
        JsonNode extraNode = object(h, at, "extra");
        TreeMap<String, String> extra = new TreeMap<>();
        for (Iterator<String> names = extraNode.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            extra.put(name, text(extraNode, at + ".extra", name));
        }
        return new Hyperparameters(intField(h, at, "k"), intField(h, at, "impostors"), doubleField(h, at, "mu"),
                doubleField(h, at, "lambda"), doubleField(h, at, "tau"), intField(h, at, "rank"), text(h, at, "stepRule"),
                doubleField(h, at, "learningRate"), intField(h, at, "windowPerClass"), intField(h, at, "batchSize"), extra);
    }

    private static TrainingStats readStats(JsonNode t) {
        String at = "body.trainingStats";
        fields(t, at, "eventsSeen", "updates", "prequentialAccuracy", "meanLoss", "marginQuantiles", "anomalyCalibration");
        JsonNode m = object(t, at, "marginQuantiles");
        fields(m, at + ".marginQuantiles", "p10", "p50", "p90");
        return new TrainingStats(longField(t, at, "eventsSeen"), longField(t, at, "updates"),
                doubleField(t, at, "prequentialAccuracy"), doubleField(t, at, "meanLoss"),
                doubleField(m, at + ".marginQuantiles", "p10"), doubleField(m, at + ".marginQuantiles", "p50"),
                doubleField(m, at + ".marginQuantiles", "p90"), doubleArray(t, at, "anomalyCalibration"));
    }

    /** Requires exactly these field names on an object. */
    /**
     * Checks that the node has exactly {@code names} and an optional {@code rows}, and returns that row scaling:
     * unit-norm when absent, as in snapshots written before it was a choice.
     */
    private static RowScaling rows(JsonNode node, String path, String... names) {
        if (!node.has("rows")) {
            fields(node, path, names);
            return RowScaling.UNIT_NORM;
        }
        String[] withRows = Arrays.copyOf(names, names.length + 1);
        withRows[names.length] = "rows";
        fields(node, path, withRows);
        String name = text(node, path, "rows");
        if (!RowScaling.NAMES.contains(name)) {
            throw new SnapshotFormatException("invalid snapshot: " + join(path, "rows") + " = '" + name
                    + "' is unknown; accepted: " + String.join(" | ", RowScaling.NAMES));
        }
        return RowScaling.of(name);
    }

    private static void fields(JsonNode node, String path, String... names) {
        Set<String> expected = Set.of(names);
        for (String name : names) {
            if (!node.has(name)) {
                throw new SnapshotFormatException("invalid snapshot: missing field " + join(path, name));
            }
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!expected.contains(name)) {
                throw new SnapshotFormatException("invalid snapshot: unknown field " + join(path, name));
            }
        }
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static SnapshotFormatException wrongType(String path, String name, String type) {
        return new SnapshotFormatException("invalid snapshot: " + join(path, name) + " must be " + type);
    }

    private static JsonNode object(JsonNode node, String path, String name) {
        JsonNode v = node.get(name);
        if (!v.isObject()) {
            throw wrongType(path, name, "an object");
        }
        return v;
    }

    private static JsonNode array(JsonNode node, String path, String name) {
        JsonNode v = node.get(name);
        if (!v.isArray()) {
            throw wrongType(path, name, "an array");
        }
        return v;
    }

    private static String text(JsonNode node, String path, String name) {
        JsonNode v = node.get(name);
        if (!v.isTextual()) {
            throw wrongType(path, name, "a string");
        }
        return v.textValue();
    }

    private static long longField(JsonNode node, String path, String name) {
        JsonNode v = node.get(name);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw wrongType(path, name, "an integer");
        }
        return v.longValue();
    }

    private static int intField(JsonNode node, String path, String name) {
        JsonNode v = node.get(name);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw wrongType(path, name, "a 32-bit integer");
        }
        return v.intValue();
    }

    private static double doubleField(JsonNode node, String path, String name) {
        JsonNode v = node.get(name);
        if (!v.isNumber()) {
            throw wrongType(path, name, "a number");
        }
        double d = v.doubleValue();
        if (!Double.isFinite(d)) { // e.g. 1e400, which parses to infinity
            throw new SnapshotFormatException("invalid snapshot: " + join(path, name) + " is not a finite double: " + d);
        }
        return d;
    }

    private static double[] doubleArray(JsonNode node, String path, String name) {
        JsonNode v = array(node, path, name);
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!v.get(i).isNumber()) {
                throw wrongType(path, name, "an array of numbers");
            }
            out[i] = v.get(i).doubleValue();
            if (!Double.isFinite(out[i])) {
                throw new SnapshotFormatException("invalid snapshot: " + join(path, name) + "[" + i
                        + "] is not a finite double: " + out[i]);
            }
        }
        return out;
    }

    /** A numeric array whose entries are bounded in absolute value, so that what is computed from them stays finite. */
    private static double[] boundedArray(JsonNode node, String path, String name, double bound) {
        double[] out = doubleArray(node, path, name);
        for (int i = 0; i < out.length; i++) {
            if (Math.abs(out[i]) > bound) {
                throw new SnapshotFormatException("invalid snapshot: " + join(path, name) + "[" + i + "] = " + out[i]
                        + " exceeds the bound |x| <= " + bound);
            }
        }
        return out;
    }
}
