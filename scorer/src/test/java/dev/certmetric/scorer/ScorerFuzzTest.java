package dev.certmetric.scorer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.preprocess.OnlineStandardizer;
import dev.certmetric.preprocess.Standardizer;
import dev.certmetric.snapshot.Exemplar;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.snapshot.SnapshotCodec;
import dev.certmetric.snapshot.TrainingStats;
import dev.certmetric.testing.FuzzBytes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of the request parser and the answers (jqwik, fixed seeds, bounded tries): arbitrary bytes
 * and valid requests with byte edits get a bounded JSON answer, never {@code Infinity}/{@code NaN} and
 * never an internal error, with or without a model; a model with every number at or near its bound
 * answers queries with every feature at or near the bound with finite numbers, not errors, and its distances
 * are symmetric and 0 from a point to itself; ids come back cut by code points.
 */
class ScorerFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double B = OnlineStandardizer.MAX_ABS_FEATURE;
    private static final ServingModel IRIS = ServingModel.of(ScorerFixtures.iris("iris", 1));
    private final Scorer scorer = new Scorer(new SimpleMeterRegistry());

    /** A case of the extreme property: a model and queries of its dimension. */
    record Extreme(MetricSnapshot snapshot, List<double[]> queries) {
        @Override
        public String toString() {
            return "p=" + snapshot.p() + " L=" + Arrays.toString(snapshot.l()) + " mean="
                    + Arrays.toString(snapshot.preprocessing().mean()) + " std=" + Arrays.toString(snapshot.preprocessing().std())
                    + " queries=" + queries.stream().map(Arrays::toString).collect(Collectors.joining(" "));
        }
    }

    @Property(tries = 2000, seed = "301")
    void arbitraryBytesGetABoundedJsonAnswer(@ForAll("arbitraryBytes") byte[] bytes, @ForAll boolean withModel) throws Exception {
        check(scorer.answer(bytes, withModel ? IRIS : null, "kafka"));
    }

    @Property(tries = 2000, seed = "302")
    void editedRequestsGetABoundedJsonAnswer(@ForAll("editedRequests") byte[] bytes, @ForAll boolean withModel) throws Exception {
        check(scorer.answer(bytes, withModel ? IRIS : null, "http"));
    }

    @Property(tries = 150, seed = "303")
    void extremeButValidModelsAndQueriesGiveFiniteAnswers(@ForAll("extremeCases") Extreme c) throws Exception {
        ServingModel model = ServingModel.of(SnapshotCodec.decode(SnapshotCodec.encode(c.snapshot())));
        for (int i = 0; i < c.queries().size(); i++) {
            String x = join(c.queries().get(i));
            String y = join(c.queries().get((i + 1) % c.queries().size()));
            JsonNode score = check(scorer.answer(("{\"id\":\"q" + i + "\",\"features\":[" + x + "]}")
                    .getBytes(StandardCharsets.UTF_8), model, "http"));
            assertFalse(score.has("error"), score::toString);
            JsonNode distance = check(scorer.answer(("{\"id\":\"d" + i + "\",\"a\":[" + x + "],\"b\":[" + y + "]}")
                    .getBytes(StandardCharsets.UTF_8), model, "http"));
            assertFalse(distance.has("error"), distance::toString);
        }
    }

    /** ||L (z_a - z_b)|| at the extremes: the same both ways round, exactly, and exactly 0 from a point to itself. */
    @Property(tries = 100, seed = "305")
    void extremeDistancesAreSymmetricAndZeroFromAPointToItself(@ForAll("extremeCases") Extreme c) throws Exception {
        ServingModel model = ServingModel.of(SnapshotCodec.decode(SnapshotCodec.encode(c.snapshot())));
        String x = join(c.queries().get(0));
        String y = join(c.queries().get(c.queries().size() - 1));
        assertEquals(distance(model, x, y), distance(model, y, x), () -> "a to b and b to a differ: " + c);
        assertEquals(0.0, distance(model, x, x), () -> "a to a: " + c);
    }

    private double distance(ServingModel model, String a, String b) throws Exception {
        JsonNode node = check(scorer.answer(("{\"id\":\"d\",\"a\":[" + a + "],\"b\":[" + b + "]}")
                .getBytes(StandardCharsets.UTF_8), model, "http"));
        assertFalse(node.has("error"), node::toString);
        return node.get("distance").asDouble();
    }

    /** Any printable id comes back as the answer's id and key, cut to the id limit (code points, not chars). */
    @Property(tries = 500, seed = "304")
    void theAnswerCarriesTheRequestIdCutToTheLimit(@ForAll("ids") String id) throws Exception {
        Scorer.Answer a = scorer.answer(("{\"id\":" + FuzzBytes.jsonString(id) + ",\"features\":[5.1,3.5,1.4,0.2]}")
                .getBytes(StandardCharsets.UTF_8), IRIS, "kafka");
        JsonNode node = check(a);
        int limit = ScorerLimits.DEFAULT.maxIdChars();
        String expected = id.codePointCount(0, id.length()) <= limit ? id : id.substring(0, id.offsetByCodePoints(0, limit));
        assertEquals(expected, a.id());
        assertEquals(expected, node.get("id").asText());
    }

    @Provide
    Arbitrary<String> ids() {
        // code points, a quarter of them outside the BMP (two chars each), so that cutting by chars would show
        Arbitrary<String> codePoint = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.chars().range(' ', '~').range('\u00a0', '\ud7ff').map(String::valueOf)),
                Tuple.of(1, Arbitraries.integers().between(0x10000, 0x10FFFD).map(Character::toString)));
        return codePoint.list().ofMinSize(1).ofMaxSize(400).map(l -> String.join("", l)).filter(s -> !s.isBlank());
    }

    @Provide
    Arbitrary<byte[]> arbitraryBytes() {
        return FuzzBytes.arbitrary(300);
    }

    /** Iris requests of every kind (score, distance), then one to four byte edits. */
    @Provide
    Arbitrary<byte[]> editedRequests() {
        Arbitrary<String> number = Arbitraries.oneOf(List.of(Arbitraries.doubles().between(-10, 10).map(String::valueOf),
                FuzzBytes.extreme(B).map(String::valueOf), Arbitraries.of("1e141", "1e400", "-0.0", "1e-320")));
        Arbitrary<String> vector = number.list().ofMinSize(3).ofMaxSize(5).map(l -> "[" + String.join(",", l) + "]");
        Arbitrary<String> id = Arbitraries.oneOf(List.of(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8)
                .map(FuzzBytes::jsonString), Arbitraries.longs().map(String::valueOf)));
        Arbitrary<String> request = Arbitraries.oneOf(List.of(
                Combinators.combine(id, vector).as((i, v) -> "{\"id\":" + i + ",\"features\":" + v + "}"),
                Combinators.combine(id, vector, vector).as((i, a, b) -> "{\"id\":" + i + ",\"a\":" + a + ",\"b\":" + b + "}")));
        return FuzzBytes.mutated(request.map(s -> s.getBytes(StandardCharsets.UTF_8)), "{}[],:\"0123456789.eE-+ abfid\\u");
    }

    /** Models of 1 to 16 features with |L| up to 1e6, exemplars up to 1e6, means and stds up to 1e140; queries up to 1e140. */
    @Provide
    Arbitrary<Extreme> extremeCases() {
        return Arbitraries.integers().between(1, 16).flatMap(p -> {
            Arbitrary<double[]> l = FuzzBytes.extreme(MetricSnapshot.MAX_ABS_L).array(double[].class).ofSize(p * p);
            Arbitrary<double[]> mean = FuzzBytes.extreme(B).array(double[].class).ofSize(p);
            Arbitrary<double[]> std = FuzzBytes.extreme(B).map(Math::abs).array(double[].class).ofSize(p);
            Arbitrary<List<double[]>> exemplars = FuzzBytes.extreme(MetricSnapshot.MAX_ABS_EXEMPLAR)
                    .array(double[].class).ofSize(p).list().ofMinSize(2).ofMaxSize(12);
            Arbitrary<List<double[]>> queries = FuzzBytes.extreme(B).array(double[].class).ofSize(p).list().ofMinSize(1).ofMaxSize(5);
            return Combinators.combine(l, mean, std, exemplars, queries).as((ll, m, s, ex, qs) ->
                    new Extreme(snapshot(p, ll, m, s, ex), qs));
        });
    }

    private static MetricSnapshot snapshot(int p, double[] l, double[] mean, double[] std, List<double[]> xs) {
        List<Exemplar> exemplars = new java.util.ArrayList<>();
        for (int i = 0; i < xs.size(); i++) {
            exemplars.add(new Exemplar(i % 2 == 0 ? "a" : "b", xs.get(i)));
        }
        return MetricSnapshot.builder().modelName("edge").version(1).createdAt(Instant.ofEpochSecond(1_700_000_000L))
                .metric(MahalanobisMetric.of(p, p, l)).preprocessing(new Standardizer(mean, std))
                .hyperparameters(ScorerFixtures.hyperparameters(3, p, 10))
                .trainingStats(new TrainingStats(20, 1, 0.5, 0.1, -0.1, 0.1, 0.3, new double[0]))
                .classes(List.of("a", "b")).exemplars(exemplars).build();
    }

    private static String join(double[] x) {
        return Arrays.stream(x).mapToObj(String::valueOf).collect(Collectors.joining(","));
    }

    private static JsonNode check(Scorer.Answer a) throws Exception {
        String text = a.text();
        assertTrue(a.json().length <= Scorer.MAX_ANSWER_BYTES, () -> "answer of " + a.json().length + " bytes");
        assertFalse(text.contains("Infinity") || text.contains("NaN"), text);
        JsonNode node = JSON.readTree(a.json());
        assertTrue(node.isObject() && (node.has("error") || node.has("model")), text);
        assertFalse("internal".equals(a.errorKind()), text);
        return node;
    }
}
