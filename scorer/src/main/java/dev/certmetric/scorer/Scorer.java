package dev.certmetric.scorer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Iterator;
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
 *       preprocessing.</li>
 * </ul>
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
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

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
            JsonNode root;
            try {
                root = MAPPER.readTree(request);
            } catch (JsonProcessingException e) {
                throw new BadRequest("malformed", "request is not valid JSON: " + e.getOriginalMessage());
            } catch (IOException e) {
                throw new BadRequest("malformed", "request is not readable: " + e.getMessage());
            }
            if (root == null || !root.isObject()) {
                throw new BadRequest("malformed", "request must be a JSON object");
            }
            JsonNode idNode = root.get("id");
            if (idNode != null && (idNode.isTextual() || idNode.isIntegralNumber())) {
                id = idNode.asText();
            }
            if (id == null || id.isEmpty()) {
                throw new BadRequest("invalid", "request needs an \"id\" (a non-empty string or an integer)");
            }
            int idChars = id.codePointCount(0, id.length());
            if (idChars > limits.maxIdChars()) {
                id = bounded(id);
                throw new BadRequest("invalid", "\"id\" has " + idChars + " characters; the limit is "
                        + limits.maxIdChars() + " (echoed cut to the limit)");
            }
            boolean hasFeatures = root.has("features");
            boolean hasPair = root.has("a") || root.has("b");
            if (hasFeatures == hasPair) {
                throw new BadRequest("invalid", hasFeatures
                        ? "request has both \"features\" and \"a\"/\"b\"; send one kind"
                        : "request needs \"features\" (score) or \"a\" and \"b\" (distance)");
            }
            if (model == null) {
                throw new BadRequest("no_model", "no model loaded yet");
            }
            if (hasFeatures) {
                type = "score";
                double[] x = vector(root, "features", model.dimension());
                ServingModel.Score score = model.score(x);
                requireFinite(score);
                answer = scoreAnswer(id, model, score);
            } else {
                type = "distance";
                double[] a = vector(root, "a", model.dimension());
                double[] b = vector(root, "b", model.dimension());
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
            String kind = answer.errorKind();
            errors.computeIfAbsent(transport + "|" + kind, k -> Counter.builder("certmetric.scorer.errors")
                    .description("Requests answered with an error, by kind")
                    .tag("transport", transport).tag("kind", kind).register(meters)).increment();
        }
        return answer;
    }

    private Timer timer(String transport, String type, String outcome) {
        return timers.computeIfAbsent(transport + "|" + type + "|" + outcome, k -> Timer.builder("certmetric.scorer.requests")
                .description("Requests answered and the time to compute each answer (histogram: p50/p99 via histogram_quantile)")
                .tag("transport", transport).tag("type", type).tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(meters));
    }

    private static double[] vector(JsonNode root, String field, int p) {
        JsonNode node = root.get(field);
        if (node == null || !node.isArray()) {
            throw new BadRequest("invalid", "\"" + field + "\" must be an array of " + p + " numbers");
        }
        if (node.size() != p) {
            throw new BadRequest("invalid", "\"" + field + "\" has " + node.size() + " numbers; the model expects p=" + p);
        }
        double[] x = new double[p];
        Iterator<JsonNode> it = node.elements();
        for (int i = 0; i < p; i++) {
            JsonNode v = it.next();
            if (!v.isNumber()) {
                throw new BadRequest("invalid", "\"" + field + "\"[" + i + "] is not a number");
            }
            x[i] = v.doubleValue();
            if (!Double.isFinite(x[i])) {
                throw new BadRequest("invalid", "\"" + field + "\"[" + i + "] is not finite");
            }
            if (Math.abs(x[i]) > OnlineStandardizer.MAX_ABS_FEATURE) {
                throw new BadRequest("invalid", "\"" + field + "\"[" + i + "] = " + x[i] + " exceeds the bound |x| <= "
                        + OnlineStandardizer.MAX_ABS_FEATURE);
            }
        }
        return x;
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

    private Answer scoreAnswer(String id, ServingModel model, ServingModel.Score s) {
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
            g.writeStringField("scored_at", Instant.now(clock).toString());
        });
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
