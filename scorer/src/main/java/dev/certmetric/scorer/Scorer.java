package dev.certmetric.scorer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import dev.certmetric.preprocess.OnlineStandardizer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers one request given the serving model: pure Java, no Kafka or HTTP, shared by the Kafka
 * Streams topology and the HTTP endpoint. Thread-safe.
 *
 * <p>Requests (JSON objects, UTF-8):
 * <ul>
 *   <li>score: {@code {"id": "r1", "features": [p numbers]}} answered by
 *       {@code {"id", "model", "version", "label", "neighbors": [{"label", "distance"}, ...],
 *       "anomaly_score", "certified_radius", "scored_at"}}: the k-NN class (k from the snapshot,
 *       neighbours nearest first with their Mahalanobis distances after preprocessing), the anomaly
 *       score of {@link AnomalyCalibration} (a quantile in [0, 1]) and the certified L2 radius of
 *       {@link dev.certmetric.certify.CertifiedKnn} in the preprocessed input space (standardised,
 *       unit-norm vectors; null when no other class exists, i.e. unbounded); {@code scored_at} is
 *       an ISO-8601 instant;</li>
 *   <li>distance: {@code {"id": "r2", "a": [p numbers], "b": [p numbers]}} answered by
 *       {@code {"id", "model", "version", "distance"}}, the Mahalanobis distance after
 *       preprocessing;</li>
 *   <li>search: {@code {"id": "r3", "features": [p numbers], "k": 10, "search": true}} answered by
 *       {@code {"id", "model", "version", "matches": [{"id", "label", "distance"}, ...], "catalogue_size",
 *       "scored_at"}}: the k nearest items of the model's {@link CatalogueIndex}, nearest first (k in
 *       1..{@link ScorerLimits#maxSearchK()}, default {@link ScorerLimits#defaultSearchK()}).</li>
 * </ul>
 * A score answer also carries {@code "catalogue_neighbors"} (the model's k nearest catalogue items, as in
 * {@code "matches"}) when the catalogue has items under the model; without a catalogue answers are as before.
 * Anything else gets {@code {"id": ... (when readable), "error": "<reason>"}}; nothing is dropped.
 * The id may be a JSON string or integer and is echoed as a string. Unknown fields are ignored.
 *
 * <p>Every answer is bounded ({@link #MAX_ANSWER_BYTES}) and finite: requests over
 * {@link ScorerLimits#maxRequestBytes()}, ids over {@link ScorerLimits#maxIdChars()} (echoed cut) and
 * features beyond {@link OnlineStandardizer#MAX_ABS_FEATURE} get error answers, and so does a result
 * that is not a finite number, so no answer can break the score topic's record limit or claim
 * "Infinity".
 */
public final class Scorer {
    /**
     * Largest answer in bytes. Ids and labels are bounded, so real answers stay far below; a larger one
     * (e.g. a forged snapshot's huge class names) becomes an error answer rather than a record the
     * score topic refuses.
     */
    public static final int MAX_ANSWER_BYTES = 64 * 1024;
    /**
     * Numbers are most of a request and of an answer: the fast (Schubfach, FastDoubleParser) double
     * conversions are exact both ways and several times cheaper than the JDK's.
     */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    /** A JSON answer; {@code id} is null when the request's id was unreadable. */
    public record Answer(String id, byte[] json, boolean error, String errorKind) {
        public String text() {
            return new String(json, StandardCharsets.UTF_8);
        }
    }

    private final MeterRegistry meters;
    private final Clock clock;
    private final ScorerLimits limits;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    /** The last scored_at text: formatting an instant costs as much as a p = 16 k-NN, and it changes once a millisecond. */
    private volatile Stamp stamp = new Stamp(Long.MIN_VALUE, "");

    private record Stamp(long millis, String text) {
    }

    public Scorer(MeterRegistry meters) {
        this(meters, Clock.systemUTC(), ScorerLimits.DEFAULT);
    }

    public Scorer(MeterRegistry meters, Clock clock, ScorerLimits limits) {
        this.meters = meters;
        this.clock = clock;
        this.limits = limits;
    }

    private static final class BadRequest extends RuntimeException {
        final String kind;

        BadRequest(String kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }
    }

    /**
     * Answers a request.
     *
     * @param request the request bytes (UTF-8 JSON); null is answered with an error
     * @param model the serving model; null gives a "no model loaded" error answer
     * @param transport a metrics tag: "kafka" or "http"
     */
    public Answer answer(byte[] request, ServingModel model, String transport) {
        long start = System.nanoTime();
        String type = "invalid";
        String id = null;
        Answer answer;
        try {
            if (request == null || request.length == 0) {
                throw new BadRequest("malformed", "empty request");
            }
            if (request.length > limits.maxRequestBytes()) {
                throw new BadRequest("too_large", "request of " + request.length + " bytes exceeds the limit of "
                        + limits.maxRequestBytes());
            }
            Request parsed = Request.parse(request);
            id = parsed.id;
            if (id == null || id.isEmpty()) {
                throw new BadRequest("invalid", "request needs an \"id\" (a non-empty string or an integer)");
            }
            int idChars = id.codePointCount(0, id.length());
            if (idChars > limits.maxIdChars()) {
                id = bounded(id);
                throw new BadRequest("invalid", "\"id\" has " + idChars + " characters; the limit is "
                        + limits.maxIdChars() + " (echoed cut to the limit)");
            }
            boolean hasFeatures = parsed.features != null;
            boolean hasPair = parsed.a != null || parsed.b != null;
            if (hasFeatures == hasPair) {
                throw new BadRequest("invalid", hasFeatures
                        ? "request has both \"features\" and \"a\"/\"b\"; send one kind"
                        : "request needs \"features\" (score) or \"a\" and \"b\" (distance)");
            }
            if (parsed.search == Flag.INVALID) {
                throw new BadRequest("invalid", "\"search\" must be true or false");
            }
            boolean search = parsed.search == Flag.TRUE;
            if (search && !hasFeatures) {
                throw new BadRequest("invalid", "a search (\"search\": true) needs \"features\", not \"a\"/\"b\"");
            }
            int k = search ? searchK(parsed) : 0;
            if (model == null) {
                throw new BadRequest("no_model", "no model loaded yet");
            }
            if (search) {
                type = "search";
                double[] x = vector(parsed.features, "features", model.dimension());
                CatalogueIndex.Match[] matches = model.catalogue().search(x, k);
                requireFinite(matches);
                answer = searchAnswer(id, model, matches);
            } else if (hasFeatures) {
                type = "score";
                double[] x = vector(parsed.features, "features", model.dimension());
                ServingModel.Score score = model.score(x);
                requireFinite(score);
                CatalogueIndex.Match[] near = model.catalogue().size() == 0 ? null : model.catalogue().search(x, model.k());
                requireFinite(near);
                answer = scoreAnswer(id, model, score, near);
            } else {
                type = "distance";
                double[] a = vector(parsed.a, "a", model.dimension());
                double[] b = vector(parsed.b, "b", model.dimension());
                double distance = model.distance(a, b);
                if (!Double.isFinite(distance)) {
                    throw new BadRequest("numeric", "the distance is not a finite number (" + distance + ")");
                }
                answer = distanceAnswer(id, model, distance);
            }
            if (answer.json().length > MAX_ANSWER_BYTES) {
                throw new BadRequest("internal", "the answer of " + answer.json().length + " bytes exceeds the limit of "
                        + MAX_ANSWER_BYTES);
            }
        } catch (BadRequest e) {
            answer = error(id, e.kind, e.getMessage());
        } catch (RuntimeException e) {
            answer = error(id, "internal", "internal error: " + e);
        }
        long elapsed = System.nanoTime() - start;
        timer(transport, type, answer.error() ? "error" : "ok").record(elapsed, java.util.concurrent.TimeUnit.NANOSECONDS);
        if (answer.error()) {
            countError(transport, answer.errorKind());
        }
        return answer;
    }

    /**
     * The error answer to a request the transport refused before it could be read (a body over the bound, or one it
     * cannot frame), counted with the other errors.
     */
    public Answer refused(String transport, String kind, String message) {
        countError(transport, kind);
        return error(null, kind, message);
    }

    private void countError(String transport, String kind) {
        errors.computeIfAbsent(transport + "|" + kind, k -> Counter.builder("certmetric.scorer.errors")
                .description("Requests answered with an error, by kind")
                .tag("transport", transport).tag("kind", kind).register(meters)).increment();
    }

    private Timer timer(String transport, String type, String outcome) {
        return timers.computeIfAbsent(transport + "|" + type + "|" + outcome, k -> Timer.builder("certmetric.scorer.requests")
                .description("Requests answered and the time to compute each answer (histogram: p50/p99 via histogram_quantile)")
                .tag("transport", transport).tag("type", type).tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(meters));
    }

    /** The search's k: the request's, within 1..{@link ScorerLimits#maxSearchK()}, or the default. */
    private int searchK(Request r) {
        if (!r.kGiven) {
            return limits.defaultSearchK();
        }
        if (r.k < 1 || r.k > limits.maxSearchK()) {
            throw new BadRequest("invalid", "\"k\" must be an integer in 1.." + limits.maxSearchK()
                    + " (scorer.max-search-k)" + (r.k == Integer.MIN_VALUE ? "" : ", got " + r.k));
        }
        return r.k;
    }

    /** A request's boolean field: absent, true, false, or of another type. */
    private enum Flag {
        ABSENT, TRUE, FALSE, INVALID
    }

    /** The first violation in a number array, found while reading it. */
    private enum Flaw {
        NOT_A_NUMBER, NOT_FINITE, TOO_LARGE
    }

    /** A request field that should be an array of numbers, as read: the numbers up to its first flaw. */
    private static final class Numbers {
        final boolean array;
        double[] values = new double[16];
        int size;
        int flawAt = -1;
        Flaw flaw;

        Numbers(boolean array) {
            this.array = array;
        }

        void add(Flaw f, double v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            if (f != null && flawAt < 0) {
                flawAt = size;
                flaw = f;
            }
            values[size++] = v;
        }
    }

    /**
     * The fields a request can have, read in one streaming pass (no tree of nodes: a p = 784 request is
     * mostly numbers); unknown fields are skipped, and a repeated field keeps its last value as a tree
     * read would.
     */
    private static final class Request {
        String id;
        Numbers features;
        Numbers a;
        Numbers b;
        Flag search = Flag.ABSENT;
        boolean kGiven;
        /** Integer.MIN_VALUE when "k" is not an int. */
        int k;

        static Request parse(byte[] bytes) {
            Request r = new Request();
            try (JsonParser p = FACTORY.createParser(bytes)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new BadRequest("malformed", "request must be a JSON object");
                }
                for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    switch (name) {
                        case "id" -> r.id = value == JsonToken.VALUE_STRING || value == JsonToken.VALUE_NUMBER_INT
                                ? p.getText() : null;
                        case "features" -> r.features = numbers(p, value);
                        case "a" -> r.a = numbers(p, value);
                        case "b" -> r.b = numbers(p, value);
                        case "search" -> {
                            r.search = value == JsonToken.VALUE_TRUE ? Flag.TRUE
                                    : value == JsonToken.VALUE_FALSE ? Flag.FALSE : Flag.INVALID;
                            p.skipChildren();
                        }
                        case "k" -> {
                            r.kGiven = true;
                            r.k = value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT
                                    ? p.getIntValue() : Integer.MIN_VALUE;
                            p.skipChildren();
                        }
                        default -> p.skipChildren();
                    }
                }
            } catch (JsonProcessingException e) {
                throw new BadRequest("malformed", "request is not valid JSON: " + e.getOriginalMessage());
            } catch (IOException e) {
                throw new BadRequest("malformed", "request is not readable: " + e.getMessage());
            }
            return r;
        }

        private static Numbers numbers(JsonParser p, JsonToken value) throws IOException {
            if (value != JsonToken.START_ARRAY) {
                p.skipChildren();
                return new Numbers(false);
            }
            Numbers out = new Numbers(true);
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                    p.skipChildren();
                    out.add(Flaw.NOT_A_NUMBER, Double.NaN);
                    continue;
                }
                double v = p.getDoubleValue();
                out.add(!Double.isFinite(v) ? Flaw.NOT_FINITE
                        : Math.abs(v) > OnlineStandardizer.MAX_ABS_FEATURE ? Flaw.TOO_LARGE : null, v);
            }
            return out;
        }
    }

    private static double[] vector(Numbers node, String field, int p) {
        if (node == null || !node.array) {
            throw new BadRequest("invalid", "\"" + field + "\" must be an array of " + p + " numbers");
        }
        if (node.size != p) {
            throw new BadRequest("invalid", "\"" + field + "\" has " + node.size + " numbers; the model expects p=" + p);
        }
        int i = node.flawAt;
        if (i >= 0) {
            throw new BadRequest("invalid", switch (node.flaw) {
                case NOT_A_NUMBER -> "\"" + field + "\"[" + i + "] is not a number";
                case NOT_FINITE -> "\"" + field + "\"[" + i + "] is not finite";
                case TOO_LARGE -> "\"" + field + "\"[" + i + "] = " + node.values[i] + " exceeds the bound |x| <= "
                        + OnlineStandardizer.MAX_ABS_FEATURE;
            });
        }
        return node.size == node.values.length ? node.values : Arrays.copyOf(node.values, p);
    }

    /** The last line of defence: a number that is not finite is an error, never an answer. */
    private static void requireFinite(ServingModel.Score s) {
        for (int i = 0; i < s.neighbourDistances().length; i++) {
            if (!Double.isFinite(s.neighbourDistances()[i])) {
                throw new BadRequest("numeric", "the distance to neighbour " + i + " is not a finite number ("
                        + s.neighbourDistances()[i] + ")");
            }
        }
        // certified_radius: Double.MAX_VALUE stands for unbounded and is written as null
        if (!Double.isFinite(s.anomalyScore()) || !Double.isFinite(s.certifiedRadius())) {
            throw new BadRequest("numeric", "the anomaly score or certified radius is not a finite number ("
                    + s.anomalyScore() + ", " + s.certifiedRadius() + ")");
        }
    }

    private static void requireFinite(CatalogueIndex.Match[] matches) {
        if (matches == null) {
            return;
        }
        for (CatalogueIndex.Match m : matches) {
            if (!Double.isFinite(m.distance())) {
                throw new BadRequest("numeric", "the distance to catalogue item " + m.id() + " is not a finite number ("
                        + m.distance() + ")");
            }
        }
    }

    /** An id cut to {@link ScorerLimits#maxIdChars()} code points (unchanged when within), for answers and keys. */
    public String bounded(String id) {
        if (id == null || id.length() <= limits.maxIdChars()) {
            return id;
        }
        int n = id.codePointCount(0, id.length());
        return n <= limits.maxIdChars() ? id : id.substring(0, id.offsetByCodePoints(0, limits.maxIdChars()));
    }

    public ScorerLimits limits() {
        return limits;
    }

    /** @param near the catalogue items nearest to the query, or null when the catalogue is empty */
    private Answer scoreAnswer(String id, ServingModel model, ServingModel.Score s, CatalogueIndex.Match[] near) {
        return write(id, false, null, g -> {
            g.writeStringField("id", id);
            g.writeStringField("model", model.name());
            g.writeNumberField("version", model.version());
            g.writeStringField("label", s.label());
            g.writeArrayFieldStart("neighbors");
            for (int i = 0; i < s.neighbourLabels().length; i++) {
                g.writeStartObject();
                g.writeStringField("label", s.neighbourLabels()[i]);
                g.writeNumberField("distance", s.neighbourDistances()[i]);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("anomaly_score", s.anomalyScore());
            if (s.certifiedRadius() >= Double.MAX_VALUE) {
                g.writeNullField("certified_radius");
            } else {
                g.writeNumberField("certified_radius", s.certifiedRadius());
            }
            if (near != null) {
                g.writeFieldName("catalogue_neighbors");
                writeMatches(g, near);
            }
            g.writeStringField("scored_at", scoredAt());
        });
    }

    private Answer searchAnswer(String id, ServingModel model, CatalogueIndex.Match[] matches) {
        return write(id, false, null, g -> {
            g.writeStringField("id", id);
            g.writeStringField("model", model.name());
            g.writeNumberField("version", model.version());
            g.writeFieldName("matches");
            writeMatches(g, matches);
            g.writeNumberField("catalogue_size", model.catalogue().size());
            g.writeStringField("scored_at", scoredAt());
        });
    }

    /** {@code [{"id", "label" (when the item has one), "distance"}, ...]}, nearest first. */
    private static void writeMatches(JsonGenerator g, CatalogueIndex.Match[] matches) throws IOException {
        g.writeStartArray();
        for (CatalogueIndex.Match m : matches) {
            g.writeStartObject();
            g.writeStringField("id", m.id());
            if (m.label() != null) {
                g.writeStringField("label", m.label());
            }
            g.writeNumberField("distance", m.distance());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** The current instant to the millisecond, ISO-8601. */
    private String scoredAt() {
        long millis = clock.millis();
        Stamp s = stamp;
        if (s.millis() != millis) {
            s = new Stamp(millis, Instant.ofEpochMilli(millis).toString());
            stamp = s;
        }
        return s.text();
    }

    private static Answer distanceAnswer(String id, ServingModel model, double distance) {
        return write(id, false, null, g -> {
            g.writeStringField("id", id);
            g.writeStringField("model", model.name());
            g.writeNumberField("version", model.version());
            g.writeNumberField("distance", distance);
        });
    }

    /** An error answer: {@code {"id": ..., "error": ...}} (id omitted when unreadable). */
    public static Answer error(String id, String kind, String message) {
        return write(id, true, kind, g -> {
            if (id != null) {
                g.writeStringField("id", id);
            }
            g.writeStringField("error", message);
        });
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static Answer write(String id, boolean error, String kind, Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Answer(id, out.toByteArray(), error, kind);
    }
}
