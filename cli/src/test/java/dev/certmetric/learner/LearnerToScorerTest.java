package dev.certmetric.learner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.embedded.WithEmbeddedKafka;
import dev.certmetric.kafka.KafkaClientProperties;
import dev.certmetric.scorer.ScorerService;
import dev.certmetric.scorer.ScorerSettings;
import dev.certmetric.snapshot.MetricSnapshot;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real learner (Flink MiniCluster, exactly-once snapshot sink) feeding the scorer: requests sent
 * before the first snapshot are held and answered, the scorer follows the learner's versions, and its
 * answers agree with the last published snapshot.
 */
@Timeout(180)
class LearnerToScorerTest extends WithEmbeddedKafka {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String request(String id, double[] x) {
        StringBuilder sb = new StringBuilder("{\"id\":\"").append(id).append("\",\"features\":[");
        for (int i = 0; i < x.length; i++) {
            sb.append(i == 0 ? "" : ",").append(x[i]);
        }
        return sb.append("]}").toString();
    }

    @Test
    void scorerServesWhatTheLearnerPublishes() throws Exception {
        CertmetricConfig c = LearnerFixtures.config(broker, "e2e-scorer", 1);
        LearnerFixtures.createTopics(broker, c, 1);
        String requests = "e2e-scorer.requests";
        String scores = "e2e-scorer.scores";
        broker.createTopic(requests, 1, false);
        broker.createTopic(scores, 1, false);
        LearnerFixtures.Split split = LearnerFixtures.split("wine", 7);
        int n = 2000;
        LearnerFixtures.produce(broker, c.eventsTopic(), LearnerFixtures.events(split.train(), n, 1));

        ScorerSettings settings = ScorerSettings.defaults(c.bootstrapServers())
                .withTopics(c.snapshotsTopic(), requests, scores)
                .withModelName(c.modelName())
                .withApplicationId("e2e-scorer-" + UUID.randomUUID())
                .withProcessing("exactly_once_v2", 50);
        int testRows = split.test().rows();
        try (ScorerService scorer = new ScorerService(settings, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).start();
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                     KafkaClientProperties.producer(broker.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer());
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                     KafkaClientProperties.consumer(broker.bootstrapServers(), "e2e-reader"), new StringDeserializer(),
                     new ByteArrayDeserializer())) {
            // sent before any snapshot exists: held, not lost
            for (int i = 0; i < testRows; i++) {
                producer.send(new ProducerRecord<>(requests, ("early" + i).getBytes(StandardCharsets.UTF_8),
                        request("early" + i, split.test().row(i)).getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (scorer.heldRequests() < testRows) {
                if (System.nanoTime() > deadline) {
                    fail("requests were not held: " + scorer.heldRequests());
                }
                Thread.sleep(50);
            }

            EventRange range = EventRange.firstN(c, LearnerJob.groupId(c), n, Duration.ofSeconds(30), a -> { });
            try (LocalLearner job = LocalLearner.start(c, range, 0)) {
                job.await(Duration.ofSeconds(120));
            }
            List<MetricSnapshot> snapshots = LearnerFixtures.snapshots(c);
            MetricSnapshot last = snapshots.get(snapshots.size() - 1);
            deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (scorer.registry().current() == null || scorer.registry().current().version() != last.version()) {
                if (System.nanoTime() > deadline) {
                    fail("scorer did not reach v" + last.version());
                }
                Thread.sleep(50);
            }
            for (int i = 0; i < testRows; i++) {
                producer.send(new ProducerRecord<>(requests, ("late" + i).getBytes(StandardCharsets.UTF_8),
                        request("late" + i, split.test().row(i)).getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();

            consumer.subscribe(List.of(scores));
            Map<String, JsonNode> answers = new HashMap<>();
            deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (answers.size() < 2 * testRows) {
                if (System.nanoTime() > deadline) {
                    fail("only " + answers.size() + " answers");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    answers.put(r.key(), JSON.readTree(r.value()));
                }
            }
            int correct = 0;
            double radiusSum = 0;
            for (int i = 0; i < testRows; i++) {
                JsonNode early = answers.get("early" + i);
                JsonNode late = answers.get("late" + i);
                assertNull(early.get("error"), early.toString());
                assertTrue(early.get("version").asLong() >= 1);
                assertEquals(last.version(), late.get("version").asLong());
                assertEquals(c.modelName(), late.get("model").asText());
                double a = late.get("anomaly_score").asDouble();
                assertTrue(a >= 0 && a <= 1);
                radiusSum += late.get("certified_radius").asDouble();
                if (late.get("label").asText().equals(split.test().label(i))) {
                    correct++;
                }
            }
            double accuracy = (double) correct / testRows;
            System.out.printf(Locale.ROOT, "[e2e-scorer] %d snapshots, serving v%d; held answers from v%d; "
                            + "holdout accuracy through the scorer %.3f; mean certified radius %.4f%n",
                    snapshots.size(), last.version(), answers.get("early0").get("version").asLong(), accuracy,
                    radiusSum / testRows);
            assertTrue(accuracy > 0.8, "holdout accuracy through the scorer " + accuracy);
            assertEquals(0, scorer.heldRequests());
        }
    }
}
