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
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Issue 10, rows 4, 5 and 7, on the real embedded broker: inputs that used to stop or fool the scorer. */
@Timeout(180)
class ScorerAttackTest extends ScorerOnBroker {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ScorerService start(String test, int httpPort) {
        String suffix = topics(test);
        ScorerSettings settings = ScorerSettings.defaults(broker.bootstrapServers())
                .withTopics(snapshots, requests, scores).withModelName("iris").withApplicationId("app-" + suffix)
                .withHttp("127.0.0.1", httpPort).withProcessing("exactly_once_v2", 50);
        ScorerService s = new ScorerService(settings, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        closeables.add(s);
        return s.start();
    }

    /** zstd and a large max.request.size: how a record far over the topic's 1 MB limit gets in. */
    private KafkaProducer<byte[], byte[]> producer() {
        Properties p = KafkaClientProperties.producer(broker.bootstrapServers());
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(32 << 20));
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        closeables.add(producer);
        return producer;
    }

    private void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get();
    }

    private Map<String, JsonNode> awaitAnswers(int n, Duration timeout) throws Exception {
        Map<String, JsonNode> byKey = new HashMap<>();
        Properties p = KafkaClientProperties.consumer(broker.bootstrapServers(), "test-" + UUID.randomUUID());
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(scores));
            long end = System.nanoTime() + timeout.toNanos();
            while (byKey.size() < n) {
                if (System.nanoTime() > end) {
                    fail("expected " + n + " answers, got " + byKey.keySet());
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    byKey.put(r.key(), JSON.readTree(r.value()));
                }
            }
        }
        return byKey;
    }


    /** Row 4: a 1.5 MB id used to come back as a 3 MB answer that killed the stream thread. */
    @Test
    void hugeRequestIdGetsABoundedErrorAnswerAndTheScorerLivesOn() throws Exception {
        ScorerService scorer = start("bigid", 0);
        KafkaProducer<byte[], byte[]> producer = producer();
        send(producer, snapshots, "iris", SnapshotCodec.encode(ScorerFixtures.iris("iris", 1)));
        ScorerFixtures.await(() -> scorer.registry().current() != null, Duration.ofSeconds(60), "v1");
        // 1.5 MB: over scorer.max-request-bytes, refused unread and keyed by its record key
        send(producer, requests, "huge", ScorerFixtures.scoreRequest("i".repeat(1_500_000), ScorerFixtures.IRIS.row(0))
                .getBytes(StandardCharsets.UTF_8));
        // 300 KB: read, and the id echoed cut to scorer.max-id-chars
        send(producer, requests, "long", ScorerFixtures.scoreRequest("j".repeat(300_000), ScorerFixtures.IRIS.row(0))
                .getBytes(StandardCharsets.UTF_8));
        send(producer, requests, "after", ScorerFixtures.scoreRequest("after", ScorerFixtures.IRIS.row(1))
                .getBytes(StandardCharsets.UTF_8));
        Map<String, JsonNode> answers = awaitAnswers(3, Duration.ofSeconds(60));
        JsonNode after = answers.get("after");
        assertNull(after.get("error"), after.toString());
        JsonNode huge = answers.get("huge");
        assertTrue(huge != null && huge.get("error").asText().contains("exceeds the limit"), String.valueOf(huge));
        JsonNode cut = answers.get("j".repeat(256));
        assertTrue(cut != null && cut.has("error"), "the long id gets an error answer keyed by its first 256 characters: "
                + answers.keySet().stream().map(k -> k.length() > 20 ? k.length() + " chars" : k).toList());
        assertEquals("j".repeat(256), cut.get("id").asText());

        // a later snapshot is still loaded: the global thread is alive
        send(producer, snapshots, "iris", SnapshotCodec.encode(ScorerFixtures.iris("iris", 2)));
        ScorerFixtures.await(() -> scorer.registry().current().version() == 2, Duration.ofSeconds(30), "v2");
        assertEquals(KafkaStreams.State.RUNNING, scorer.state());
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + scorer.httpPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), health.body());
    }

    /** Row 5: sockets that send half a header and then nothing must not block /health. */
    @Test
    void stalledConnectionsDoNotBlockHealth() throws Exception {
        ScorerService scorer = start("slow", 0);
        KafkaProducer<byte[], byte[]> producer = producer();
        send(producer, snapshots, "iris", SnapshotCodec.encode(ScorerFixtures.iris("iris", 1)));
        ScorerFixtures.await(() -> scorer.registry().current() != null, Duration.ofSeconds(60), "v1");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI health = URI.create("http://127.0.0.1:" + scorer.httpPort() + "/health");
        for (int stalled : new int[] {2, 200}) {
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < stalled; i++) {
                    Socket s = new Socket("127.0.0.1", scorer.httpPort());
                    sockets.add(s);
                    OutputStream out = s.getOutputStream();
                    out.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                Thread.sleep(200);
                long[] nanos = new long[5];
                for (int i = 0; i < nanos.length; i++) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    nanos[i] = System.nanoTime() - t0;
                    assertEquals(200, r.statusCode(), r.body());
                }
                java.util.Arrays.sort(nanos);
                System.out.printf("/health with %d stalled sockets: median %.1f ms, max %.1f ms%n", stalled,
                        nanos[2] / 1e6, nanos[4] / 1e6);
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }

    /** Row 7: L finite but M = L^T L overflowing used to be accepted and served. */
    @Test
    void snapshotWhoseMetricOverflowsIsRejectedAndTheLastGoodOneServes() throws Exception {
        ScorerService scorer = start("bigL", -1);
        KafkaProducer<byte[], byte[]> producer = producer();
        send(producer, snapshots, "iris", SnapshotCodec.encode(ScorerFixtures.iris("iris", 1)));
        ScorerFixtures.await(() -> scorer.registry().current() != null, Duration.ofSeconds(60), "v1");
        MetricSnapshot good = ScorerFixtures.iris("iris", 2);
        double[] l = good.l();
        for (int i = 0; i < l.length; i++) {
            l[i] *= 1e200;
        }
        send(producer, snapshots, "iris", SnapshotCodec.encode(good.toBuilder().l(good.q(), good.p(), l).build()));
        send(producer, snapshots, "iris", SnapshotCodec.encode(ScorerFixtures.iris("iris", 3).toBuilder()
                .l(good.q(), good.p(), l).build()));
        Thread.sleep(1500);
        assertEquals(1, scorer.registry().current().version(), "the last good model keeps serving");
        assertEquals(2, scorer.registry().rejectedCount(ModelRegistry.Reason.CORRUPT), "L over its bound: invalid");
        send(producer, requests, "q", ScorerFixtures.scoreRequest("q", ScorerFixtures.IRIS.row(3))
                .getBytes(StandardCharsets.UTF_8));
        JsonNode q = awaitAnswers(1, Duration.ofSeconds(30)).get("q");
        assertEquals(1, q.get("version").asLong());
        assertFalse(q.toString().contains("Infinity") || q.toString().contains("NaN"), q.toString());
    }
}
