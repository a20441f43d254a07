package dev.certmetric.scorer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.certmetric.snapshot.MetricSnapshot;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The catalogue and its index without Kafka: search against brute force, changes, rejections, requests. */
class CatalogueTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Catalogue catalogue = new Catalogue(16, meters);

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private boolean offer(String id, String label, double[] x) {
        return catalogue.offer(id, bytes(ScorerFixtures.item(id, label, x)));
    }

    /** Raw iris-like rows: a row of iris with Gaussian noise. */
    private static double[] jittered(Random rnd, int row) {
        double[] x = ScorerFixtures.IRIS.row(row % ScorerFixtures.IRIS.rows()).clone();
        for (int f = 0; f < x.length; f++) {
            x[f] += 0.3 * rnd.nextGaussian();
        }
        return x;
    }

    private static void assertMatches(List<ScorerFixtures.Near> expected, CatalogueIndex.Match[] actual, String what) {
        assertEquals(expected.size(), actual.length, what + ": count");
        for (int i = 0; i < actual.length; i++) {
            assertEquals(expected.get(i).id(), actual[i].id(), what + ": id of match " + i);
            assertEquals(expected.get(i).distance(), actual[i].distance(), 1e-9 * Math.max(1, expected.get(i).distance()),
                    what + ": distance of match " + i);
        }
    }

    @Test
    void searchIsBruteForceUnderEachModelAndReindexedOnANewOne() {
        MetricSnapshot v1 = ScorerFixtures.irisRandomMetric("iris", 1, 3, 11);
        MetricSnapshot v2 = ScorerFixtures.irisRandomMetric("iris", 2, 2, 12);
        ServingModel m1 = ServingModel.of(v1, catalogue);
        Random rnd = new Random(5);
        Map<String, double[]> items = new LinkedHashMap<>();
        for (int i = 0; i < 3000; i++) {
            double[] x = jittered(rnd, i);
            items.put("item-" + (i * 7919 % 3000), x);       // ids not in insertion order
        }
        items.put("twin-b", items.get("item-0"));          // equal distances: ordered by id
        items.put("twin-a", items.get("item-0"));
        items.forEach((id, x) -> assertTrue(offer(id, null, x)));
        assertEquals(items.size(), m1.catalogue().size());
        for (int t = 0; t < 60; t++) {
            double[] query = t == 0 ? items.get("item-0") : jittered(rnd, t);
            for (int k : new int[] {1, 7, 50, items.size() + 5}) {
                assertMatches(ScorerFixtures.bruteForce(v1, items, query, k), m1.catalogue().search(query, k),
                        "v1 query " + t + " k=" + k);
            }
        }
        assertEquals(List.of("item-0", "twin-a", "twin-b"),
                List.of(m1.catalogue().search(items.get("item-0"), 3)).stream().map(CatalogueIndex.Match::id).toList());

        ServingModel m2 = ServingModel.of(v2, catalogue);
        assertEquals(items.size(), m2.catalogue().size(), "re-indexed under the new metric");
        double[] changed = jittered(rnd, 3);
        assertTrue(offer("item-5", "new", changed));
        items.put("item-5", changed);
        for (int t = 0; t < 30; t++) {
            double[] query = t == 0 ? changed : jittered(rnd, t);
            assertMatches(ScorerFixtures.bruteForce(v2, items, query, 10), m2.catalogue().search(query, 10),
                    "v2 query " + t);
        }
        assertEquals("new", m2.catalogue().search(changed, 1)[0].label());
    }

    @Test
    void searchWithAHeadAndATailOfCoordinatesIsBruteForce() {
        dev.certmetric.data.CsvDataset data = dev.certmetric.data.CsvDataset.readResource("ionosphere");
        MetricSnapshot s = ScorerFixtures.randomMetric(data, "ionosphere", 1, 34, 3);   // q = 34 > HEAD: a tail of 2
        ServingModel model = ServingModel.of(s, catalogue);
        Random rnd = new Random(8);
        Map<String, double[]> items = new LinkedHashMap<>();
        for (int i = 0; i < 2500; i++) {
            double[] x = data.row(i % data.rows()).clone();
            for (int f = 0; f < x.length; f++) {
                x[f] *= 1 + 0.1 * rnd.nextGaussian();
            }
            items.put("w" + i, x);
            assertTrue(offer("w" + i, null, x));
            if (i % 500 == 499) {                                              // across the re-rotations
                assertFalse(catalogue.offer("w" + (i - 7), null));
                items.remove("w" + (i - 7));
            }
        }
        assertEquals(items.size(), model.catalogue().size());
        List<double[]> stored = List.copyOf(items.values());
        for (int t = 0; t < 40; t++) {
            double[] query = t % 2 == 0 ? stored.get(t * 31) : data.row(t);
            for (int k : new int[] {1, 10, 100}) {
                assertMatches(ScorerFixtures.bruteForce(s, items, query, k), model.catalogue().search(query, k),
                        "query " + t + " k=" + k);
            }
        }
    }

    @Test
    void addUpdateDeleteAndARejectedRecordLeavesNoItem() {
        MetricSnapshot v1 = ScorerFixtures.iris("iris", 1);
        ServingModel model = ServingModel.of(v1, catalogue);
        double[] a = ScorerFixtures.IRIS.row(0);
        double[] b = ScorerFixtures.IRIS.row(60);
        double[] c = ScorerFixtures.IRIS.row(120);
        assertTrue(offer("a", "setosa", a));
        assertTrue(offer("b", null, b));
        assertTrue(offer("c", "virginica", c));
        CatalogueIndex.Match[] m = model.catalogue().search(b, 10);
        assertEquals(3, m.length);
        assertEquals("b", m[0].id());
        assertEquals(0.0, m[0].distance());
        assertNull(m[0].label());

        assertTrue(offer("b", "moved", a));                                   // update: same id, new features
        m = model.catalogue().search(a, 10);
        assertEquals(3, m.length);
        assertEquals(0.0, m[0].distance());
        assertEquals(0.0, m[1].distance());
        assertEquals(List.of("a", "b"), List.of(m[0].id(), m[1].id()));
        assertEquals("moved", m[1].label());

        assertFalse(catalogue.offer("c", null));                              // tombstone
        assertEquals(List.of("a", "b"), List.of(model.catalogue().search(c, 10)).stream()
                .map(CatalogueIndex.Match::id).toList());
        assertFalse(catalogue.offer("a", bytes("{not json")));               // the latest record of a decides
        assertEquals(List.of("b"), List.of(model.catalogue().search(c, 10)).stream().map(CatalogueIndex.Match::id).toList());
        assertEquals(1, catalogue.rejectedCount(Catalogue.Reason.MALFORMED));
        assertEquals(1, catalogue.size());
    }

    @Test
    void badRecordsAreCountedByReasonAndSkipped() {
        assertTrue(offer("early", null, new double[] {1, 2, 3}));          // no model yet: p unknown, kept
        assertTrue(offer("fine", null, ScorerFixtures.IRIS.row(3)));
        ServingModel model = ServingModel.of(ScorerFixtures.iris("iris", 1), catalogue);
        assertEquals(1, model.catalogue().size(), "the p=3 item is left out of the p=4 model's index");
        assertEquals(1, catalogue.rejectedCount(Catalogue.Reason.FEATURE_COUNT));

        Object[][] bad = {
            {"j", "{\"id\":\"j\",\"features\":[1,2", Catalogue.Reason.MALFORMED},
            {"arr", "[1,2,3,4]", Catalogue.Reason.MALFORMED},
            {"nof", "{\"id\":\"nof\"}", Catalogue.Reason.MALFORMED},
            {"str", "{\"id\":\"str\",\"features\":[1,\"2\",3,4]}", Catalogue.Reason.MALFORMED},
            {"lab", "{\"id\":\"lab\",\"label\":7,\"features\":[1,2,3,4]}", Catalogue.Reason.MALFORMED},
            {"noid", "{\"features\":[1,2,3,4]}", Catalogue.Reason.MALFORMED},
            {"key", "{\"id\":\"other\",\"features\":[1,2,3,4]}", Catalogue.Reason.KEY_MISMATCH},
            {"x".repeat(17), "{\"id\":\"" + "x".repeat(17) + "\",\"features\":[1,2,3,4]}", Catalogue.Reason.ID_TOO_LONG},
            {"longlab", "{\"id\":\"longlab\",\"label\":\"" + "y".repeat(17) + "\",\"features\":[1,2,3,4]}",
                Catalogue.Reason.LABEL_TOO_LONG},
            {"inf", "{\"id\":\"inf\",\"features\":[1,1e400,3,4]}", Catalogue.Reason.NON_FINITE},
            {"big", "{\"id\":\"big\",\"features\":[1,2,1e141,4]}", Catalogue.Reason.OUT_OF_BOUNDS},
            {"p5", "{\"id\":\"p5\",\"features\":[1,2,3,4,5]}", Catalogue.Reason.FEATURE_COUNT},
            {null, "{\"id\":\"n\",\"features\":[1,2,3,4]}", Catalogue.Reason.MALFORMED},
        };
        for (Object[] b : bad) {
            Catalogue.Reason reason = (Catalogue.Reason) b[2];
            long before = catalogue.rejectedCount(reason);
            assertFalse(catalogue.offer((String) b[0], bytes((String) b[1])), String.valueOf(b[1]));
            assertEquals(before + 1, catalogue.rejectedCount(reason), b[1] + " counted as " + reason.tag());
        }
        assertEquals(1, model.catalogue().size());
        assertEquals("fine", model.catalogue().search(ScorerFixtures.IRIS.row(0), 5)[0].id());
        String scrape = meters.scrape();
        assertTrue(scrape.contains("certmetric_scorer_references_rejected_total{reason=\"feature_count\"} 2.0"), scrape);
        assertTrue(scrape.contains("certmetric_scorer_references_rejected_total{reason=\"malformed\"} 7.0"), scrape);
        assertTrue(scrape.contains("certmetric_scorer_references 1.0"), scrape);
    }

    @Test
    void searchRequestsAreAnsweredAndBoundedAndScoreAnswersNameCatalogueNeighbours() throws Exception {
        Scorer scorer = new Scorer(meters, Clock.systemUTC(), new ScorerLimits(64, 65536, 1, 10, 1000, 20));
        MetricSnapshot v1 = ScorerFixtures.irisRandomMetric("iris", 1, 3, 7);
        ServingModel model = ServingModel.of(v1, catalogue);
        double[] query = ScorerFixtures.IRIS.row(75);
        JsonNode before = JSON.readTree(scorer.answer(bytes(ScorerFixtures.scoreRequest("s0", query)), model, "test").json());
        assertFalse(before.has("catalogue_neighbors"), "no catalogue, no new field: " + before);

        Map<String, double[]> items = new LinkedHashMap<>();
        for (int i = 0; i < ScorerFixtures.IRIS.rows(); i++) {
            String id = "item-" + i;
            items.put(id, ScorerFixtures.IRIS.row(i));
            assertTrue(offer(id, i % 2 == 0 ? ScorerFixtures.IRIS.label(i) : null, ScorerFixtures.IRIS.row(i)));
        }
        JsonNode a = JSON.readTree(scorer.answer(bytes(ScorerFixtures.searchRequest("q1", query, 5)), model, "test").json());
        assertEquals("q1", a.get("id").asText());
        assertEquals("iris", a.get("model").asText());
        assertEquals(1, a.get("version").asLong());
        assertEquals(150, a.get("catalogue_size").asInt());
        assertTrue(a.has("scored_at"));
        List<ScorerFixtures.Near> expected = ScorerFixtures.bruteForce(v1, items, query, 5);
        assertEquals(5, a.get("matches").size());
        for (int i = 0; i < 5; i++) {
            JsonNode m = a.get("matches").get(i);
            assertEquals(expected.get(i).id(), m.get("id").asText());
            assertEquals(expected.get(i).distance(), m.get("distance").asDouble(), 1e-9);
            int row = Integer.parseInt(m.get("id").asText().substring(5));
            assertEquals(row % 2 == 0, m.has("label"), m.toString());
            if (row % 2 == 0) {
                assertEquals(ScorerFixtures.IRIS.label(row), m.get("label").asText());
            }
        }
        String noK = "{\"id\":\"q2\",\"search\":true,\"features\":[5.1,3.5,1.4,0.2]}";
        assertEquals(10, JSON.readTree(scorer.answer(bytes(noK), model, "test").json()).get("matches").size());

        JsonNode score = JSON.readTree(scorer.answer(bytes(ScorerFixtures.scoreRequest("s1", query)), model, "test").json());
        ServingModel.Score local = model.score(query);
        assertEquals(local.label(), score.get("label").asText(), "the score answer is unchanged");
        assertEquals(local.nearestDistance(), score.get("neighbors").get(0).get("distance").asDouble());
        List<ScorerFixtures.Near> near = ScorerFixtures.bruteForce(v1, items, query, model.k());
        assertEquals(model.k(), score.get("catalogue_neighbors").size());
        for (int i = 0; i < near.size(); i++) {
            assertEquals(near.get(i).id(), score.get("catalogue_neighbors").get(i).get("id").asText());
        }
        String searchFalse = "{\"id\":\"s2\",\"search\":false,\"k\":500,\"features\":[5.1,3.5,1.4,0.2]}";
        assertTrue(JSON.readTree(scorer.answer(bytes(searchFalse), model, "test").json()).has("label"));

        String[][] errors = {
            {"{\"id\":\"e1\",\"search\":true,\"k\":0,\"features\":[5.1,3.5,1.4,0.2]}", "\"k\" must be an integer in 1..20"},
            {"{\"id\":\"e2\",\"search\":true,\"k\":21,\"features\":[5.1,3.5,1.4,0.2]}", "got 21"},
            {"{\"id\":\"e3\",\"search\":true,\"k\":2.5,\"features\":[5.1,3.5,1.4,0.2]}", "\"k\" must be an integer"},
            {"{\"id\":\"e4\",\"search\":true,\"k\":\"3\",\"features\":[5.1,3.5,1.4,0.2]}", "\"k\" must be an integer"},
            {"{\"id\":\"e5\",\"search\":true,\"k\":1e30,\"features\":[5.1,3.5,1.4,0.2]}", "\"k\" must be an integer"},
            {"{\"id\":\"e6\",\"search\":\"yes\",\"features\":[5.1,3.5,1.4,0.2]}", "\"search\" must be true or false"},
            {"{\"id\":\"e7\",\"search\":true,\"a\":[1,2,3,4],\"b\":[1,2,3,4]}", "needs \"features\""},
            {"{\"id\":\"e8\",\"search\":true,\"features\":[5.1,3.5,1.4]}", "p=4"},
        };
        for (String[] e : errors) {
            Scorer.Answer ans = scorer.answer(bytes(e[0]), model, "test");
            assertTrue(ans.error(), e[0]);
            assertEquals("invalid", ans.errorKind());
            assertTrue(JSON.readTree(ans.json()).get("error").asText().contains(e[1]), ans.text());
        }
    }
}
