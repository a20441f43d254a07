package dev.certmetric.scorer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.certmetric.kafka.KafkaClientProperties;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.snapshot.SnapshotCodec;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The catalogue on a real embedded KRaft broker: changes visible in searches, bad records, a hot swap. */
@Timeout(180)
class ScorerCatalogueKafkaTest extends ScorerOnBroker {
    private static final ObjectMapper JSON = new ObjectMapper();
    private String references;

    /** The base's topics; the references topic is left for the scorer to create. */
    @Override
    String topics(String test) {
        String suffix = super.topics(test);
        references = "references-" + suffix;
        return suffix;
    }

    private ScorerService start(String appId, int httpPort) {
        ScorerSettings settings = ScorerSettings.defaults(broker.bootstrapServers())
                .withTopics(snapshots, requests, scores)
                .withReferencesTopic(references)
                .withModelName("iris")
                .withApplicationId(appId)
                .withHttp("127.0.0.1", httpPort)
                .withProcessing("exactly_once_v2", 50);
        ScorerService s = new ScorerService(settings, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        closeables.add(s);
        return s.start();
    }

    private static void publish(String topic, String key, String value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8))).get();
    }

    private void publishSnapshot(MetricSnapshot s) throws Exception {
        producer.send(new ProducerRecord<>(snapshots, s.modelName().getBytes(StandardCharsets.UTF_8),
                SnapshotCodec.encode(s))).get();
    }

    /** Reads answers (read_committed), keeping every record so duplicates show. */
    private final class Answers implements AutoCloseable {
        final KafkaConsumer<String, byte[]> consumer;
        final Map<String, JsonNode> byId = new LinkedHashMap<>();
        final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();

        Answers() {
            Properties p = KafkaClientProperties.consumer(broker.bootstrapServers(), "test-" + UUID.randomUUID());
            consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
            consumer.subscribe(List.of(scores));
            closeables.add(this);
        }

        void pollOnce() throws Exception {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                records.add(r);
                byId.put(r.key(), JSON.readTree(r.value()));
            }
        }

        JsonNode await(String id) throws Exception {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!byId.containsKey(id)) {
                if (System.nanoTime() > end) {
                    fail("no answer to " + id);
                }
                pollOnce();
            }
            return byId.get(id);
        }

        void awaitCount(int n) throws Exception {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (records.size() < n) {
                if (System.nanoTime() > end) {
                    fail("expected " + n + " answers, got " + records.size());
                }
                pollOnce();
            }
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** The answer's matches (or catalogue_neighbors) equal the brute-force k nearest under the snapshot. */
    private static void assertBruteForce(MetricSnapshot s, Map<String, double[]> items, double[] query, JsonNode matches,
            int k, String what) {
        List<ScorerFixtures.Near> expected = ScorerFixtures.bruteForce(s, items, query, k);
        assertNotNull(matches, what + ": no matches");
        assertEquals(expected.size(), matches.size(), what + ": " + matches);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).id(), matches.get(i).get("id").asText(), what + ": match " + i);
            assertEquals(expected.get(i).distance(), matches.get(i).get("distance").asDouble(),
                    1e-9 * Math.max(1, expected.get(i).distance()), what + ": distance " + i);
        }
    }

    private static String post(HttpClient http, int port, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/score"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    @Test
    void addUpdateAndDeleteAreSearchableBadRecordsAreCountedAndAFreshScorerAgrees() throws Exception {
        topics("catalogue");
        MetricSnapshot v1 = ScorerFixtures.irisRandomMetric("iris", 1, 3, 21);
        publishSnapshot(v1);
        ScorerService scorer = start("catalogue-" + UUID.randomUUID(), 0);
        assertNotNull(scorer.awaitModel(Duration.ofSeconds(60)));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, references);
            Config config = admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic);
            assertEquals(TopicConfig.CLEANUP_POLICY_COMPACT, config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value(),
                    "the scorer creates the references topic compacted");
        }
        Map<String, double[]> items = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            String id = "item-" + i;
            double[] x = ScorerFixtures.IRIS.row(i * 3);
            items.put(id, x);
            publish(references, id, ScorerFixtures.item(id, i % 2 == 0 ? ScorerFixtures.IRIS.label(i * 3) : null, x));
            if (i == 10) {
                publish(references, "junk", "{not json");
                publish(references, "p3", "{\"id\":\"p3\",\"features\":[1,2,3]}");
                publish(references, "inf", "{\"id\":\"inf\",\"features\":[1,2,1e999,4]}");
                String longId = "z".repeat(300);
                publish(references, longId, "{\"id\":\"" + longId + "\",\"features\":[1,2,3,4]}");
            }
        }
        ScorerFixtures.await(() -> scorer.registry().current().catalogue().size() == 40, Duration.ofSeconds(60),
                "40 items searchable");
        Catalogue catalogue = scorer.catalogue();
        assertEquals(1, catalogue.rejectedCount(Catalogue.Reason.MALFORMED));
        assertEquals(1, catalogue.rejectedCount(Catalogue.Reason.FEATURE_COUNT));
        assertEquals(1, catalogue.rejectedCount(Catalogue.Reason.NON_FINITE));
        assertEquals(1, catalogue.rejectedCount(Catalogue.Reason.ID_TOO_LONG));

        Answers answers = new Answers();
        double[] query = ScorerFixtures.IRIS.row(61);
        publish(requests, "s1", ScorerFixtures.searchRequest("s1", query, 7));
        JsonNode s1 = answers.await("s1");
        assertEquals(1, s1.get("version").asLong());
        assertBruteForce(v1, items, query, s1.get("matches"), 7, "s1");

        // update item-3 to sit on the query, delete item-4 (tombstone), add item-new
        String nearest = s1.get("matches").get(0).get("id").asText();
        publish(references, "item-3", ScorerFixtures.item("item-3", "moved", query));
        items.put("item-3", query);
        publish(references, nearest, null);
        items.remove(nearest);
        double[] fresh = query.clone();
        fresh[0] += 0.05;
        publish(references, "item-new", ScorerFixtures.item("item-new", null, fresh));
        items.put("item-new", fresh);
        HttpClient http = HttpClient.newHttpClient();
        int port = scorer.httpPort();
        String body = ScorerFixtures.searchRequest("h1", query, 7);
        List<String> expected = ScorerFixtures.bruteForce(v1, items, query, 7).stream().map(ScorerFixtures.Near::id)
                .toList();
        assertTrue(expected.contains("item-new") || !expected.equals(s1.get("matches").findValuesAsText("id")),
                "the changes alter the answer");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (JsonNode m = null; m == null || !expected.equals(m.findValuesAsText("id")); ) {
            if (System.nanoTime() > deadline) {
                fail("the update, delete and add never showed in HTTP searches; expected " + expected + ", last " + m);
            }
            Thread.sleep(20);
            m = JSON.readTree(post(http, port, body)).get("matches");
        }
        JsonNode h1 = JSON.readTree(post(http, port, body));
        assertBruteForce(v1, items, query, h1.get("matches"), 7, "h1 (HTTP)");
        assertEquals("moved", h1.get("matches").get(0).get("label").asText());
        assertEquals(0.0, h1.get("matches").get(0).get("distance").asDouble());

        publish(requests, "s2", ScorerFixtures.searchRequest("s2", query, 7));
        publish(requests, "n2", ScorerFixtures.scoreRequest("n2", query));
        JsonNode s2 = answers.await("s2");
        assertBruteForce(v1, items, query, s2.get("matches"), 7, "s2 (Kafka)");
        assertEquals(40, s2.get("catalogue_size").asInt());
        JsonNode n2 = answers.await("n2");
        assertEquals(ServingModel.of(v1).score(query).label(), n2.get("label").asText());
        assertBruteForce(v1, items, query, n2.get("catalogue_neighbors"), 3, "n2 catalogue_neighbors");

        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(metrics.body().contains("certmetric_scorer_references_rejected_total{reason=\"non_finite\"} 1.0"),
                metrics.body());
        assertTrue(metrics.body().contains("certmetric_scorer_references 40.0"), metrics.body());

        // a scorer that starts now reads the compacted topic from the beginning, tombstone included
        ScorerService fresh2 = start("catalogue-fresh-" + UUID.randomUUID(), -1);
        assertNotNull(fresh2.awaitModel(Duration.ofSeconds(60)));
        ScorerFixtures.await(() -> fresh2.registry().current().catalogue().size() == 40, Duration.ofSeconds(60),
                "the fresh scorer's 40 items");
        JsonNode again = JSON.readTree(fresh2.scorer().answer(body.getBytes(StandardCharsets.UTF_8),
                fresh2.registry().current(), "test").json());
        assertEquals(h1.get("matches"), again.get("matches"));
    }

    private static double[] queries0() {
        return ScorerFixtures.IRIS.row(0);
    }

    @Test
    void aHotSwapReindexesTheCatalogueWithoutLosingARequest() throws Exception {
        topics("swap");
        MetricSnapshot v1 = ScorerFixtures.iris("iris", 1);
        MetricSnapshot v2 = ScorerFixtures.irisRandomMetric("iris", 2, 3, 99);
        publishSnapshot(v1);
        Map<String, double[]> items = new HashMap<>();
        Random rnd = new Random(3);
        for (int i = 0; i < 300; i++) {
            double[] x = ScorerFixtures.IRIS.row(i % ScorerFixtures.IRIS.rows()).clone();
            for (int f = 0; f < x.length; f++) {
                x[f] += 0.2 * rnd.nextGaussian();
            }
            String id = "ref-" + i;
            items.put(id, x);
            publish(references, id, ScorerFixtures.item(id, null, x));
        }
        ScorerService scorer = start("swap-" + UUID.randomUUID(), -1);
        assertNotNull(scorer.awaitModel(Duration.ofSeconds(60)));
        ScorerFixtures.await(() -> scorer.registry().current().catalogue().size() == 300, Duration.ofSeconds(60),
                "300 items searchable");
        Answers answers = new Answers();
        publish(requests, "warm-up", ScorerFixtures.searchRequest("warm-up", queries0(), 5));
        assertEquals(1, answers.await("warm-up").get("version").asLong(), "the stream thread answers before the swap");
        int n = 500;
        double[][] queries = new double[n][];
        for (int i = 0; i < n; i++) {
            queries[i] = ScorerFixtures.IRIS.row((i * 7) % ScorerFixtures.IRIS.rows());
            String id = "r" + i;
            publish(requests, id, i % 4 == 3 ? ScorerFixtures.scoreRequest(id, queries[i])
                    : ScorerFixtures.searchRequest(id, queries[i], 5));
            if (i == 150) {
                publishSnapshot(v2);
            }
            if (i % 50 == 0) {
                answers.pollOnce();
            }
            if (i > 150 && i < 300) {
                Thread.sleep(2);
            }
        }
        answers.awaitCount(n + 1);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() < end) {
            answers.pollOnce();
        }
        assertEquals(n + 1, answers.records.size(), "exactly one answer per request, no duplicates");
        assertEquals(n + 1, answers.byId.size());
        long last = 0;
        int[] perVersion = new int[3];
        for (int i = 0; i < n; i++) {
            JsonNode a = answers.byId.get("r" + i);
            assertNotNull(a, "answer r" + i);
            assertNull(a.get("error"), a.toString());
            long version = a.get("version").asLong();
            assertTrue(version >= last, "r" + i + " answered by v" + version + " after v" + last);
            last = version;
            perVersion[(int) version]++;
            MetricSnapshot s = version == 1 ? v1 : v2;
            if (i % 4 == 3) {
                assertBruteForce(s, items, queries[i], a.get("catalogue_neighbors"), 3, "r" + i + " v" + version);
            } else {
                assertBruteForce(s, items, queries[i], a.get("matches"), 5, "r" + i + " v" + version);
            }
        }
        assertTrue(perVersion[1] > 0 && perVersion[2] > 0, "both versions answered: v1=" + perVersion[1] + ", v2="
                + perVersion[2]);
        assertEquals(2, scorer.registry().current().version());
    }
}
