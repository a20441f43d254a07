package dev.certmetric.events;

import java.io.IOException;
import java.io.Serializable;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.certmetric.preprocess.OnlineStandardizer;

/**
 * Turns raw record bytes into a {@link LabeledEvent} or an {@link InvalidEvent}; never throws on bad input,
 * so a stream job can route every rejected record to the dead-letter topic. Immutable and serializable
 * (only its limits are state), so it can be shipped inside Flink functions.
 */
public final class EventDecoder implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final int DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;
    public static final int DEFAULT_MAX_FEATURES = 100_000;
    public static final int DEFAULT_MAX_ID_CHARS = 256;
    public static final int DEFAULT_MAX_LABEL_CHARS = 256;
    /**
     * How far an event's own time may run ahead of the decoding machine's clock: an hour, the bound Kafka 4 brokers
     * put on a record's timestamp (log.message.timestamp.after.max.ms). Further ahead is a producer's mistake
     * (microseconds for milliseconds, say), and one such event would evict every other from a time-bounded window.
     */
    public static final long MAX_TS_AHEAD_MILLIS = 3_600_000;

    // NaN/Infinity tokens are accepted by the parser so they are reported as non_finite, not malformed_json.
    private static final ObjectReader READER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build()
            .reader();

    /** The streaming fast path's parser factory: same number syntax as READER, correctly rounded fast doubles. */
    private static final JsonFactory FAST = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();

    private final int expectedDimension;
    private final int maxRecordBytes;
    private final int maxFeatures;
    private final int maxIdChars;
    private final int maxLabelChars;

    /** With the default id and label bounds. */
    public EventDecoder(int expectedDimension, int maxRecordBytes, int maxFeatures) {
        this(expectedDimension, maxRecordBytes, maxFeatures, DEFAULT_MAX_ID_CHARS, DEFAULT_MAX_LABEL_CHARS);
    }

    /**
     * @param expectedDimension required feature count, or 0 to accept any
     * @param maxRecordBytes    larger records are rejected before parsing
     * @param maxFeatures       longer feature arrays are rejected
     * @param maxIdChars        longer ids (in Unicode code points) are rejected
     * @param maxLabelChars     longer labels (in Unicode code points) are rejected
     */
    public EventDecoder(int expectedDimension, int maxRecordBytes, int maxFeatures, int maxIdChars, int maxLabelChars) {
        if (expectedDimension < 0) {
            throw new IllegalArgumentException("expected dimension must be >= 0 (0 = any), got " + expectedDimension);
        }
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException("max record bytes must be >= 1, got " + maxRecordBytes);
        }
        if (maxFeatures < 1) {
            throw new IllegalArgumentException("max features must be >= 1, got " + maxFeatures);
        }
        if (maxIdChars < 1 || maxLabelChars < 1) {
            throw new IllegalArgumentException("max id and label lengths must be >= 1, got " + maxIdChars + " and "
                    + maxLabelChars);
        }
        this.expectedDimension = expectedDimension;
        this.maxRecordBytes = maxRecordBytes;
        this.maxFeatures = maxFeatures;
        this.maxIdChars = maxIdChars;
        this.maxLabelChars = maxLabelChars;
    }

    /** The same limits, requiring exactly {@code dimension} features (0 = any). */
    public EventDecoder withDimension(int dimension) {
        return new EventDecoder(dimension, maxRecordBytes, maxFeatures, maxIdChars, maxLabelChars);
    }

    /** Accepts any dimension with the default size limits. */
    public static EventDecoder anyDimension() {
        return new EventDecoder(0, DEFAULT_MAX_RECORD_BYTES, DEFAULT_MAX_FEATURES);
    }

    /** Requires exactly {@code dimension} features, with the default size limits. */
    public static EventDecoder forDimension(int dimension) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + dimension);
        }
        return new EventDecoder(dimension, DEFAULT_MAX_RECORD_BYTES, DEFAULT_MAX_FEATURES);
    }

    public int expectedDimension() {
        return expectedDimension;
    }

    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    public int maxFeatures() {
        return maxFeatures;
    }

    public int maxIdChars() {
        return maxIdChars;
    }

    public int maxLabelChars() {
        return maxLabelChars;
    }

    public Decoded decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return invalid(InvalidReason.EMPTY, "record value is empty");
        }
        if (bytes.length > maxRecordBytes) {
            return invalid(InvalidReason.OVERSIZED, bytes.length + " bytes exceeds the limit of " + maxRecordBytes);
        }
        Decoded fast = decodeFast(bytes);
        if (fast != null) {
            return fast;
        }
        JsonNode root;
        try {
            root = READER.readTree(bytes);
        } catch (IOException e) {
            return invalid(InvalidReason.MALFORMED_JSON, firstLine(e.getMessage()));
        }
        if (root == null || root.isMissingNode()) {
            return invalid(InvalidReason.EMPTY, "record value is blank");
        }
        if (!root.isObject()) {
            return invalid(InvalidReason.MALFORMED_JSON, "expected a JSON object, got " + describe(root));
        }
        return decodeObject(root);
    }

    /**
     * One streaming pass for the common case, a well-formed valid event; null on anything else (a
     * syntax error, a missing, duplicate or mistyped field, a wrong count, a non-finite number,
     * trailing tokens), which the tree path then decodes or rejects with its exact reason. For valid
     * input it yields what the tree path would: the last value of each field, features as doubles.
     */
    private Decoded decodeFast(byte[] bytes) {
        try (JsonParser parser = FAST.createParser(bytes)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String id = null;
            String label = null;
            Long ts = null;
            boolean tsSeen = false;
            double[] values = null;
            JsonToken field;
            while ((field = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "id" -> {
                        if (id != null || value != JsonToken.VALUE_STRING) {
                            return null;
                        }
                        id = parser.getText();
                        if (id.isEmpty()) {
                            return null;
                        }
                    }
                    case "label" -> {
                        if (label != null || value != JsonToken.VALUE_STRING) {
                            return null; // numeric labels: the tree path renders them
                        }
                        label = parser.getText();
                    }
                    case "ts" -> {
                        if (tsSeen) {
                            return null;
                        }
                        tsSeen = true;
                        if (value == JsonToken.VALUE_NUMBER_INT && (parser.getNumberType() == JsonParser.NumberType.INT
                                || parser.getNumberType() == JsonParser.NumberType.LONG)) {
                            ts = parser.getLongValue();
                        } else if (value != JsonToken.VALUE_NULL) {
                            return null;
                        }
                    }
                    case "features" -> {
                        if (values != null || value != JsonToken.START_ARRAY) {
                            return null;
                        }
                        values = features(parser);
                        if (values == null) {
                            return null;
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
            if (field != JsonToken.END_OBJECT || parser.nextToken() != null || id == null || label == null
                    || values == null) {
                return null;
            }
            return checked(id, label, values, ts);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The numbers of a features array (parser on its START_ARRAY), or null unless valid. */
    private double[] features(JsonParser parser) throws IOException {
        int cap = expectedDimension > 0 ? expectedDimension : 16;
        double[] values = new double[cap];
        int n = 0;
        JsonToken t;
        while ((t = parser.nextToken()) == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
            if (n == maxFeatures || (expectedDimension > 0 && n == expectedDimension)) {
                return null;
            }
            double v = parser.getDoubleValue();
            if (!Double.isFinite(v)) {
                return null;
            }
            if (n == values.length) {
                values = java.util.Arrays.copyOf(values, 2 * n);
            }
            values[n++] = v;
        }
        if (t != JsonToken.END_ARRAY || n == 0 || (expectedDimension > 0 && n != expectedDimension)) {
            return null;
        }
        return n == values.length ? values : java.util.Arrays.copyOf(values, n);
    }

    private Decoded decodeObject(JsonNode root) {
        JsonNode id = root.get("id");
        if (id == null || !id.isTextual() || id.textValue().isEmpty()) {
            return invalid(InvalidReason.MISSING_FIELD, "id must be a non-empty string, got " + describe(id));
        }
        JsonNode label = root.get("label");
        if (label == null || !(label.isTextual() || label.isNumber())) {
            return invalid(InvalidReason.MISSING_FIELD, "label must be a string or number, got " + describe(label));
        }
        JsonNode ts = root.get("ts");
        if (ts != null && !ts.isNull() && !(ts.isIntegralNumber() && ts.canConvertToLong())) {
            return invalid(InvalidReason.MISSING_FIELD, "ts must be epoch millis (an integer), got " + describe(ts));
        }
        JsonNode features = root.get("features");
        if (features == null || !features.isArray()) {
            return invalid(InvalidReason.MISSING_FIELD, "features must be an array, got " + describe(features));
        }
        int n = features.size();
        if (n == 0) {
            return invalid(InvalidReason.EMPTY, "features is an empty array");
        }
        if (n > maxFeatures) {
            return invalid(InvalidReason.OVERSIZED, n + " features exceeds the limit of " + maxFeatures);
        }
        if (expectedDimension != 0 && n != expectedDimension) {
            return invalid(InvalidReason.WRONG_DIMENSION, "expected " + expectedDimension + " features, got " + n);
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            JsonNode f = features.get(i);
            if (!f.isNumber()) {
                return invalid(InvalidReason.NON_FINITE, "features[" + i + "] is not a number: " + describe(f));
            }
            values[i] = f.doubleValue();
            if (!Double.isFinite(values[i])) {
                // Overflowing literals such as 1e400 parse to infinity, so this covers them too.
                return invalid(InvalidReason.NON_FINITE, "features[" + i + "] is not finite: " + f.asText());
            }
        }
        Long tsMillis = ts == null || ts.isNull() ? null : ts.longValue();
        return checked(id.textValue(), label.asText(), values, tsMillis);
    }

    /**
     * The bounds both decoding paths share: a well-formed event that breaks one of them would make a
     * later stage fail on every restart (an empty label cannot be a snapshot class; a feature of 1e308
     * overflows the running variance), so it is rejected here, where it can be dead-lettered.
     */
    private Decoded checked(String id, String label, double[] values, Long ts) {
        int idChars = id.codePointCount(0, id.length());
        if (idChars > maxIdChars) {
            return invalid(InvalidReason.ID_TOO_LONG, "id has " + idChars + " characters; the limit is " + maxIdChars);
        }
        if (label.isBlank()) {
            return invalid(InvalidReason.EMPTY_LABEL, "label is empty or blank");
        }
        int labelChars = label.codePointCount(0, label.length());
        if (labelChars > maxLabelChars) {
            return invalid(InvalidReason.LABEL_TOO_LONG, "label has " + labelChars + " characters; the limit is "
                    + maxLabelChars);
        }
        for (int i = 0; i < label.length(); ) {
            int cp = label.codePointAt(i); // an unpaired surrogate comes back as itself
            if (Character.isISOControl(cp) || Character.getType(cp) == Character.SURROGATE) {
                return invalid(InvalidReason.UNPRINTABLE_LABEL, "label has a control character or an unpaired "
                        + "surrogate at index " + i + String.format(" (U+%04X)", cp));
            }
            i += Character.charCount(cp);
        }
        if (ts != null) {
            long now = System.currentTimeMillis();
            if (ts > now + MAX_TS_AHEAD_MILLIS) {
                return invalid(InvalidReason.OUT_OF_RANGE, "ts = " + ts + " is more than an hour ahead of this clock ("
                        + now + "); ts is epoch milliseconds");
            }
        }
        for (int i = 0; i < values.length; i++) {
            if (Math.abs(values[i]) > OnlineStandardizer.MAX_ABS_FEATURE) {
                return invalid(InvalidReason.OUT_OF_RANGE, "features[" + i + "] = " + values[i]
                        + " exceeds the bound |x| <= " + OnlineStandardizer.MAX_ABS_FEATURE
                        + " that keeps the running variance finite");
            }
        }
        return new Decoded.Valid(new LabeledEvent(id, label, values, ts));
    }

    private static InvalidEvent invalid(InvalidReason reason, String detail) {
        return new InvalidEvent(reason, detail);
    }

    private static String describe(JsonNode node) {
        if (node == null) {
            return "nothing (field absent)";
        }
        String type = node.getNodeType().name().toLowerCase(Locale.ROOT);
        return node.isContainerNode() ? type : type + " " + abbreviate(node.toString());
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unparseable JSON";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
