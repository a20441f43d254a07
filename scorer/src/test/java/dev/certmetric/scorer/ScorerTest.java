package dev.certmetric.scorer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.certmetric.preprocess.RowScaling;
import dev.certmetric.preprocess.Standardizer;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.snapshot.SnapshotCodec;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pure scorer and registry, without Kafka. */
class ScorerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Scorer scorer = new Scorer(meters);

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private JsonNode answer(String request, ServingModel model) throws Exception {
        return JSON.readTree(scorer.answer(bytes(request), model, "test").json());
    }

    @Test
    void scoresAnIrisRowAsItsOwnClassWithItselfAsNearestNeighbour() throws Exception {
        ServingModel model = ServingModel.of(ScorerFixtures.iris("iris", 1));
        double[] row = ScorerFixtures.IRIS.row(0);
        JsonNode a = answer(ScorerFixtures.scoreRequest("r0", row), model);
        assertEquals("r0", a.get("id").asText());
        assertEquals("iris", a.get("model").asText());
        assertEquals(1, a.get("version").asLong());
        assertEquals(ScorerFixtures.IRIS.label(0), a.get("label").asText());
        assertEquals(3, a.get("neighbors").size());
        assertEquals(0.0, a.get("neighbors").get(0).get("distance").asDouble(), 1e-12);
        assertEquals(0.0, a.get("anomaly_score").asDouble(), 1e-12);
        assertTrue(a.get("certified_radius").asDouble() > 0);
        assertNotNull(a.get("scored_at"));
    }

    @Test
    void farAwayQueryIsAnomalous() throws Exception {
        ServingModel model = ServingModel.of(ScorerFixtures.iris("iris", 1));
        JsonNode a = answer("{\"id\":\"far\",\"features\":[8.0,1.0,1.0,4.0]}", model);
        assertTrue(a.get("anomaly_score").asDouble() > 0.95, a.toString());
    }

    @Test
    void distanceIsMahalanobisAfterPreprocessing() throws Exception {
        MetricSnapshot s = ScorerFixtures.iris("iris", 2);
        ServingModel model = ServingModel.of(s);
        double[] x = ScorerFixtures.IRIS.row(0);
        double[] y = ScorerFixtures.IRIS.row(100);
        String req = "{\"id\":7,\"a\":" + java.util.Arrays.toString(x) + ",\"b\":" + java.util.Arrays.toString(y) + "}";
        JsonNode a = answer(req, model);
        double expected = s.metric().distance(s.preprocessing().apply(x), s.preprocessing().apply(y));
        assertEquals("7", a.get("id").asText());
        assertEquals(expected, a.get("distance").asDouble(), 1e-12);
        assertEquals(2, a.get("version").asLong());
    }

    @Test
    void scaledRowsKeepTheMagnitudeThatUnitNormThrowsAway() throws Exception {
        MetricSnapshot unit = ScorerFixtures.iris("iris", 2);
        Standardizer u = unit.preprocessing();
        MetricSnapshot scaled = unit.toBuilder().preprocessing(new Standardizer(u.mean(), u.std(), RowScaling.SCALED))
                .build();
        MetricSnapshot decoded = SnapshotCodec.decode(SnapshotCodec.encode(scaled));
        assertEquals(RowScaling.SCALED, decoded.preprocessing().rows(), "the snapshot carries its row scaling");
        ServingModel model = ServingModel.of(decoded);
        // Two inputs on one ray from the mean: the same point under unit norm, twice as far out under scaled rows.
        double[] mean = u.mean();
        double[] std = u.std();
        double[] x = new double[mean.length];
        double[] y = new double[mean.length];
        double len2 = 0;
        for (int f = 0; f < mean.length; f++) {
            x[f] = mean[f] + std[f] * (f + 1);
            y[f] = mean[f] + 2 * std[f] * (f + 1);
            len2 += (f + 1) * (f + 1);
        }
        String req = "{\"id\":8,\"a\":" + java.util.Arrays.toString(x) + ",\"b\":" + java.util.Arrays.toString(y) + "}";
        assertEquals(0, answer(req, ServingModel.of(unit)).get("distance").asDouble(), 1e-9);
        // The rows differ by z = (1, 2, 3, 4) / sqrt(p); L = 2 I in version 2.
        assertEquals(2 * Math.sqrt(len2 / mean.length), answer(req, model).get("distance").asDouble(), 1e-9);
    }

    @Test
    void malformedRequestsGetErrorAnswers() throws Exception {
        ServingModel model = ServingModel.of(ScorerFixtures.iris("iris", 1));
        String[][] cases = {
            {"not json", null},
            {"[1,2,3]", null},
            {"{\"features\":[1,2,3,4]}", null},
            {"{\"id\":\"a\"}", "a"},
            {"{\"id\":\"b\",\"features\":[1,2,3]}", "b"},
            {"{\"id\":\"c\",\"features\":[1,2,\"x\",4]}", "c"},
            {"{\"id\":\"d\",\"features\":[1,2,3,4],\"a\":[1,2,3,4]}", "d"},
            {"{\"id\":\"e\",\"a\":[1,2,3,4]}", "e"},
            {"{\"id\":\"f\",\"features\":\"1,2,3,4\"}", "f"},
            {"{\"id\":\"g\",\"features\":[1,2,3,1e999]}", "g"},
        };
        for (String[] c : cases) {
            Scorer.Answer ans = scorer.answer(bytes(c[0]), model, "test");
            assertTrue(ans.error(), c[0]);
            JsonNode a = JSON.readTree(ans.json());
            assertTrue(a.get("error").asText().length() > 5, c[0]);
            if (c[1] == null) {
                assertNull(a.get("id"), c[0]);
            } else {
                assertEquals(c[1], a.get("id").asText(), c[0]);
            }
        }
        assertTrue(scorer.answer(null, model, "test").error());
        Scorer.Answer noModel = scorer.answer(bytes("{\"id\":\"z\",\"features\":[1,2,3,4]}"), null, "test");
        assertEquals("no_model", noModel.errorKind());
        assertTrue(meters.scrape().contains("certmetric_scorer_errors_total"));
        assertTrue(meters.scrape().contains("certmetric_scorer_requests_seconds"));
    }

    @Test
    void anomalyScoreIsTheInterpolatedQuantile() {
        AnomalyCalibration c = AnomalyCalibration.ofQuantiles(new double[] {0.0, 0.1, 0.25, 0.5, 1.5});
        assertEquals(0.0, c.score(-1), 0);
        assertEquals(0.25, c.score(0.1), 1e-12);
        assertEquals(0.375, c.score(0.175), 1e-12);
        assertEquals(0.75, c.score(0.5), 1e-12);
        assertEquals(1.0, c.score(1.5), 0);
        assertEquals(1.0, c.score(100), 0);
        AnomalyCalibration plateau = AnomalyCalibration.ofQuantiles(new double[] {0.0, 0.0, 0.0, 1.0});
        assertEquals(2.0 / 3, plateau.score(0.0), 1e-12);
        double prev = -1;
        for (double d = 0; d < 2; d += 0.01) {
            double s = c.score(d);
            assertTrue(s >= prev);
            prev = s;
        }
    }

    @Test
    void registryAcceptsOnlyStrictlyNewerCompatibleSnapshots() {
        ModelRegistry r = new ModelRegistry("iris", meters);
        assertNull(r.current());
        assertTrue(r.offer(SnapshotCodec.encode(ScorerFixtures.iris("iris", 2))).accepted());
        assertEquals(ModelRegistry.Reason.STALE, r.offer(SnapshotCodec.encode(ScorerFixtures.iris("iris", 2))).reason());
        assertEquals(ModelRegistry.Reason.STALE, r.offer(SnapshotCodec.encode(ScorerFixtures.iris("iris", 1))).reason());
        assertEquals(ModelRegistry.Reason.CORRUPT, r.offer(bytes("{oops")).reason());
        byte[] tampered = SnapshotCodec.encode(ScorerFixtures.iris("iris", 3));
        tampered[tampered.length - 10] ^= 1;
        assertEquals(ModelRegistry.Reason.CORRUPT, r.offer(tampered).reason());
        assertEquals(ModelRegistry.Reason.CORRUPT, r.offer((byte[]) null).reason());
        String wrongSchema = new String(SnapshotCodec.encode(ScorerFixtures.iris("iris", 3)), StandardCharsets.UTF_8)
                .replace("\"schemaVersion\":1", "\"schemaVersion\":2");
        assertEquals(ModelRegistry.Reason.INCOMPATIBLE, r.offer(bytes(wrongSchema)).reason());
        MetricSnapshot wine = ScorerFixtures.snapshot("iris", 9, dev.certmetric.data.CsvDataset.readResource("wine"),
                dev.certmetric.metric.MahalanobisMetric.euclidean(13), 3);
        assertEquals(ModelRegistry.Reason.INCOMPATIBLE, r.offer(wine).reason());
        assertEquals(ModelRegistry.Reason.OTHER_MODEL, r.offer(ScorerFixtures.iris("other", 5)).reason());
        assertEquals(2, r.current().version());
        assertFalse(r.offer(ScorerFixtures.iris("iris", 2)).accepted());
        assertTrue(r.offer(ScorerFixtures.iris("iris", 4)).accepted());
        assertEquals(4, r.current().version());
        assertEquals(3, r.rejectedCount(ModelRegistry.Reason.STALE));
        assertEquals(3, r.rejectedCount(ModelRegistry.Reason.CORRUPT));
        assertEquals(2, r.rejectedCount(ModelRegistry.Reason.INCOMPATIBLE));
        String scrape = meters.scrape();
        assertTrue(scrape.contains("certmetric_scorer_snapshots_rejected_total{reason=\"stale\"} 3.0"), scrape);
        assertTrue(scrape.contains("certmetric_scorer_model_version 4.0"), scrape);
        assertTrue(scrape.contains("certmetric_scorer_model_age_seconds"), scrape);
    }
}
