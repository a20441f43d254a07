package dev.certmetric.scorer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.certmetric.kafka.KafkaClientProperties;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.snapshot.SnapshotCodec;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The scorer on a real embedded KRaft broker: hot swap, rejection, restart, held and malformed requests. */
@Timeout(120)
class ScorerKafkaTest extends ScorerOnBroker {
    private static final ObjectMapper JSON = new ObjectMapper();
    private ScorerSettings settings(String appId, int httpPort) {
        return ScorerSettings.defaults(broker.bootstrapServers())
                .withTopics(snapshots, requests, scores)
                .withModelName("iris")
                .withApplicationId(appId)
                .withHttp("127.0.0.1", httpPort)
                .withProcessing("exactly_once_v2", 50);
    }

    private ScorerService start(ScorerSettings settings) {
        ScorerService s = new ScorerService(settings, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        closeables.add(s);
        return s.start();
    }

    private static void publish(String topic, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value)).get();
    }

    private void publishSnapshot(MetricSnapshot s) throws Exception {
        publish(snapshots, s.modelName(), SnapshotCodec.encode(s));
    }

    private void request(String id, String json) throws Exception {
        publish(requests, id, json.getBytes(StandardCharsets.UTF_8));
    }

    private void scoreRequest(String id, int row) throws Exception {
        request(id, ScorerFixtures.scoreRequest(id, ScorerFixtures.IRIS.row(row % ScorerFixtures.IRIS.rows())));
    }

    /** Reads answers (read_committed) until {@code expected} ids are seen, in topic order. */
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

        void pollFor(Duration d) throws Exception {
            long end = System.nanoTime() + d.toNanos();
            while (System.nanoTime() < end) {
                pollOnce();
            }
        }

        void pollOnce() throws Exception {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                records.add(r);
                JsonNode n = JSON.readTree(r.value());
                byId.put(r.key(), n);
            }
        }

        void awaitCount(int n, Duration timeout) throws Exception {
            long end = System.nanoTime() + timeout.toNanos();
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


    @Test
    void hotSwapMidTrafficSwitchesVersionWithoutLosingAnswers() throws Exception {
        topics("swap");
        publishSnapshot(ScorerFixtures.iris("iris", 1));
        ScorerService scorer = start(settings("swap-" + UUID.randomUUID(), -1));
        assertNotNull(scorer.awaitModel(Duration.ofSeconds(60)), "v1 loaded");
        Answers answers = new Answers();
        int n = 600;
        ServingModel v2 = ServingModel.of(ScorerFixtures.iris("iris", 2));
        for (int i = 0; i < n; i++) {
            scoreRequest("r" + i, i);
            if (i == 200) {
                publishSnapshot(v2.snapshot());
            }
            if (i % 50 == 0) {
                answers.pollOnce();
            }
            if (i > 200 && i < 400) {
                Thread.sleep(2);
            }
        }
        answers.awaitCount(n, Duration.ofSeconds(60));
        assertEquals(n, answers.byId.size(), "one answer per request id, none lost or duplicated");
        long lastVersion = 0;
        int v1 = 0;
        int v2count = 0;
        for (int i = 0; i < n; i++) {
            JsonNode a = answers.byId.get("r" + i);
            assertNotNull(a, "answer r" + i);
            assertNull(a.get("error"), a.toString());
            long version = a.get("version").asLong();
            assertTrue(version >= lastVersion, "versions never go back: r" + i + " has v" + version + " after v" + lastVersion);
            lastVersion = version;
            if (version == 1) {
                v1++;
            } else {
                v2count++;
                ServingModel.Score expected = v2.score(ScorerFixtures.IRIS.row(i % ScorerFixtures.IRIS.rows()));
                assertEquals(expected.label(), a.get("label").asText());
                assertEquals(expected.nearestDistance(), a.get("neighbors").get(0).get("distance").asDouble(), 1e-9);
            }
        }
        assertTrue(v1 > 0 && v2count > 0, "both versions answered: v1=" + v1 + ", v2=" + v2count);
        assertEquals(2, scorer.registry().current().version());
    }

    @Test
    void olderDuplicateCorruptAndAbortedSnapshotsAreRejectedWhileServingContinues() throws Exception {
        topics("reject");
        publishSnapshot(ScorerFixtures.iris("iris", 3));
        ScorerService scorer = start(settings("reject-" + UUID.randomUUID(), 0));
        assertNotNull(scorer.awaitModel(Duration.ofSeconds(60)));
        Answers answers = new Answers();
        scoreRequest("before", 0);

        publishSnapshot(ScorerFixtures.iris("iris", 2));                        // older
        publishSnapshot(ScorerFixtures.iris("iris", 3));                        // duplicate version
        publish(snapshots, "iris", "{not a snapshot".getBytes(StandardCharsets.UTF_8)); // corrupt JSON
        byte[] tampered = SnapshotCodec.encode(ScorerFixtures.iris("iris", 8));
        tampered[tampered.length - 20] ^= 1;
        publish(snapshots, "iris", tampered);                                   // checksum mismatch
        publishSnapshot(ScorerFixtures.snapshot("iris", 9, dev.certmetric.data.CsvDataset.readResource("wine"),
                dev.certmetric.metric.MahalanobisMetric.euclidean(13), 3));     // p = 13, not 4
        // an aborted transaction must stay invisible (read_committed)
        Properties tx = KafkaClientProperties.producer(broker.bootstrapServers());
        tx.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-abort-" + UUID.randomUUID());
        try (KafkaProducer<byte[], byte[]> txp = new KafkaProducer<>(tx, new ByteArraySerializer(), new ByteArraySerializer())) {
            txp.initTransactions();
            txp.beginTransaction();
            txp.send(new ProducerRecord<>(snapshots, "iris".getBytes(StandardCharsets.UTF_8),
                    SnapshotCodec.encode(ScorerFixtures.iris("iris", 99)))).get();
            txp.flush();
            txp.abortTransaction();
        }
        ScorerFixtures.await(() -> scorer.registry().rejectedCount(ModelRegistry.Reason.INCOMPATIBLE) == 1, Duration.ofSeconds(30),
                "the p=13 snapshot to be rejected");
        scoreRequest("during", 1);
        answers.awaitCount(2, Duration.ofSeconds(30));
        assertEquals(3, answers.byId.get("before").get("version").asLong());
        assertEquals(3, answers.byId.get("during").get("version").asLong());
        assertEquals(2, scorer.registry().rejectedCount(ModelRegistry.Reason.STALE));
        assertEquals(2, scorer.registry().rejectedCount(ModelRegistry.Reason.CORRUPT));
        assertEquals(3, scorer.registry().current().version());

        publishSnapshot(ScorerFixtures.iris("iris", 5)); // accepted only if v99 was never seen
        ScorerFixtures.await(() -> scorer.registry().current().version() == 5, Duration.ofSeconds(30), "v5");
        scoreRequest("after", 2);
        answers.awaitCount(3, Duration.ofSeconds(30));
        assertEquals(5, answers.byId.get("after").get("version").asLong());

        // HTTP view of the same scorer
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + scorer.httpPort();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        HttpResponse<String> model = http.send(HttpRequest.newBuilder(URI.create(base + "/model")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode m = JSON.readTree(model.body());
        assertEquals("iris", m.get("name").asText());
        assertEquals(5, m.get("version").asLong());
        assertTrue(m.get("age_seconds").asDouble() >= 0);
        assertEquals("unit-norm", m.get("rows").asText(), "the fixture's preprocessing is the paper's");
        HttpResponse<String> score = http.send(HttpRequest.newBuilder(URI.create(base + "/score"))
                .POST(HttpRequest.BodyPublishers.ofString(ScorerFixtures.scoreRequest("h1", ScorerFixtures.IRIS.row(60))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, score.statusCode(), score.body());
        assertEquals(scorer.registry().current().score(ScorerFixtures.IRIS.row(60)).label(), JSON.readTree(score.body()).get("label").asText());
        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create(base + "/score"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"h2\",\"features\":[1]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, bad.statusCode());
        assertEquals("h2", JSON.readTree(bad.body()).get("id").asText());
        String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String name : new String[] {"certmetric_scorer_snapshots_rejected_total{reason=\"stale\"} 2.0",
                "certmetric_scorer_snapshots_rejected_total{reason=\"corrupt\"} 2.0",
                "certmetric_scorer_snapshots_rejected_total{reason=\"incompatible\"} 1.0",
                "certmetric_scorer_model_version 5.0", "certmetric_scorer_model_age_seconds",
                "certmetric_scorer_requests_seconds_bucket", "certmetric_scorer_requests_seconds_count{",
                "certmetric_scorer_errors_total{kind=\"invalid\",transport=\"http\"} 1.0", "kafka_stream_",
                "certmetric_scorer_requests_waiting ", "certmetric_scorer_requests_held_total "}) {
            assertTrue(metrics.contains(name), "metrics expose " + name);
        }
    }

    @Test
    void restartRestoresTheLatestGoodModelBeforeTheFirstAnswer() throws Exception {
        topics("restart");
        String appId = "restart-" + UUID.randomUUID();
        publishSnapshot(ScorerFixtures.iris("iris", 1));
        publishSnapshot(ScorerFixtures.iris("iris", 2));
        publish(snapshots, "iris", "garbage".getBytes(StandardCharsets.UTF_8));
        publishSnapshot(ScorerFixtures.iris("iris", 1));
        ScorerService first = start(settings(appId, -1));
        ScorerFixtures.await(() -> first.registry().current() != null && first.registry().current().version() == 2,
                Duration.ofSeconds(60), "v2 before restart");
        Answers answers = new Answers();
        scoreRequest("first", 0);
        answers.awaitCount(1, Duration.ofSeconds(30));
        first.close();

        // requests queue up while no scorer runs; the restarted one (fresh state dir) must answer them with v2
        for (int i = 0; i < 30; i++) {
            scoreRequest("q" + i, i);
        }
        ScorerService second = start(settings(appId, -1));
        answers.awaitCount(31, Duration.ofSeconds(60));
        for (int i = 0; i < 30; i++) {
            JsonNode a = answers.byId.get("q" + i);
            assertNull(a.get("error"), a.toString());
            assertEquals(2, a.get("version").asLong(), "q" + i + " answered by the restored v2");
        }
        assertEquals(2, second.registry().current().version());
        assertEquals(0, second.heldRequestsTotal(), "the model was restored before the first request was read");
    }

    @Test
    void requestsWithoutAModelAreHeldAcrossARestartAndMalformedOnesGetErrors() throws Exception {
        topics("held");
        String appId = "held-" + UUID.randomUUID();
        Path stateDir = Files.createTempDirectory("scorer-held-");
        ScorerService first = start(settings(appId, 0).withStateDir(stateDir.resolve("a")));
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + first.httpPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(503, health.statusCode());
        for (int i = 0; i < 10; i++) {
            scoreRequest("h" + i, i * 7);
        }
        request("bad-json", "{\"id\": \"bad-json\", \"features\": [1, 2");      // unreadable: keyed by the record key
        request("short", "{\"id\":\"short\",\"features\":[1,2,3]}");
        request("k-noid", "{\"features\":[1,2,3,4]}");
        publish(requests, "nullvalue", null);
        request("dist", "{\"id\":\"dist\",\"a\":[5.1,3.5,1.4,0.2],\"b\":[6.3,3.3,6.0,2.5]}");
        ScorerFixtures.await(() -> first.heldRequests() == 15, Duration.ofSeconds(60), "15 held requests");
        assertEquals(15, first.heldRequestsTotal());
        Answers answers = new Answers();
        answers.pollFor(Duration.ofMillis(1500));
        assertEquals(0, answers.records.size(), "nothing is answered without a model");
        first.close();

        ScorerService second = start(settings(appId, -1).withStateDir(stateDir.resolve("b")));
        ScorerFixtures.await(() -> second.heldRequests() == 15, Duration.ofSeconds(60), "held requests restored from the changelog");
        publishSnapshot(ScorerFixtures.iris("iris", 4));
        answers.awaitCount(15, Duration.ofSeconds(60));
        ServingModel v4 = second.registry().current();
        for (int i = 0; i < 10; i++) {
            JsonNode a = answers.byId.get("h" + i);
            assertEquals(4, a.get("version").asLong());
            assertEquals(v4.score(ScorerFixtures.IRIS.row(i * 7)).label(), a.get("label").asText());
        }
        assertTrue(answers.byId.get("bad-json").get("error").asText().contains("JSON"));
        assertFalse(answers.byId.get("bad-json").has("id"));
        assertEquals("short", answers.byId.get("short").get("id").asText());
        assertTrue(answers.byId.get("short").get("error").asText().contains("p=4"));
        assertTrue(answers.byId.get("k-noid").has("error"));
        assertTrue(answers.byId.get("nullvalue").has("error"));
        assertTrue(answers.byId.get("dist").get("distance").asDouble() > 0);
        // answers come out in request order
        List<String> order = answers.records.stream().map(ConsumerRecord::key).toList();
        assertEquals(List.of("h0", "h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8", "h9", "bad-json", "short", "k-noid",
                "nullvalue", "dist"), order);
        assertEquals(0, second.heldRequests());
    }

    @Test
    void missingTopicsAreCreatedAtStart() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        snapshots = "new-snapshots-" + suffix;
        requests = "new-requests-" + suffix;
        scores = "new-scores-" + suffix;
        ScorerService scorer = start(settings("new-" + suffix, -1));
        publishSnapshot(ScorerFixtures.iris("iris", 1));
        assertNotNull(scorer.awaitModel(Duration.ofSeconds(60)));
        Answers answers = new Answers();
        scoreRequest("n1", 10);
        answers.awaitCount(1, Duration.ofSeconds(30));
        assertEquals(1, answers.byId.get("n1").get("version").asLong());
    }
}
