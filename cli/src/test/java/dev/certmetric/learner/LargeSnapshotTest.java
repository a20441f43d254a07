package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.embedded.WithEmbeddedKafka;
import dev.certmetric.cli.ScoreBenchmark;
import dev.certmetric.scorer.ScorerService;
import dev.certmetric.scorer.ScorerSettings;
import dev.certmetric.scorer.ServingModel;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.snapshot.SnapshotCodec;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A p=784 snapshot with 500 exemplars (~5 MB, Kafka's defaults allow 1 MB) goes through the
 * learner's snapshot path: the topic as {@link TopicSetup} creates it, a transactional producer with the
 * snapshot sink's settings ({@link LearnerJob#snapshotProducerConfig}: max.request.size, zstd) and its
 * {@link SnapshotSerializer}, then the scorer (global store, fetch sizes from the same config key) and
 * the snapshot readers. On a topic with the broker's default limit the same record is rejected.
 */
class LargeSnapshotTest extends WithEmbeddedKafka {

    @Test
    void p784SnapshotGoesFromTheLearnerSinkSettingsToTheScorer() throws Exception {
        CertmetricConfig c = LearnerFixtures.config(broker, "large", 1);
        assertEquals(64 * 1024 * 1024, c.snapshotMaxBytes());
        TopicSetup.ensureOutputTopics(c);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, c.snapshotsTopic());
            Config topic = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
            assertEquals(String.valueOf(c.snapshotMaxBytes()), topic.get("max.message.bytes").value());
            assertEquals("compact", topic.get("cleanup.policy").value());
        }

        MetricSnapshot s = ScoreBenchmark.syntheticSnapshot(784, 64, 10, 50, 7).toBuilder()
                .modelName(c.modelName()).version(1).build();
        byte[] value = SnapshotCodec.encode(s);
        assertTrue(value.length > 5_000_000, "snapshot is " + value.length + " bytes");

        Properties props = LearnerJob.snapshotProducerConfig(c);
        assertEquals("zstd", props.getProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG));
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "large-test");
        SnapshotSerializer serializer = new SnapshotSerializer(c.snapshotsTopic(), null);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(serializer.serialize(new SnapshotRecord(c.modelName(), 1, value,
                    Instant.now().toEpochMilli()), null, null)).get(60, TimeUnit.SECONDS);
            producer.commitTransaction();

            // the same record on a topic with Kafka's default limit (1 MB) is refused by the broker
            broker.createTopic("large.default-limit", 1, true);
            ExecutionException e = assertThrows(ExecutionException.class, () -> {
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("large.default-limit", c.modelName().getBytes(), value))
                        .get(60, TimeUnit.SECONDS);
            });
            assertInstanceOf(RecordTooLargeException.class, e.getCause(), e.toString());
        }

        ScorerSettings settings = ScorerSettings.defaults(broker.bootstrapServers())
                .withTopics(c.snapshotsTopic(), "large.requests", "large.scores")
                .withModelName(c.modelName())
                .withApplicationId("large-scorer")
                .withSnapshotMaxBytes(c.snapshotMaxBytes());
        try (ScorerService scorer = new ScorerService(settings, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .start()) {
            ServingModel m = scorer.awaitModel(Duration.ofSeconds(60));
            assertNotNull(m, "the scorer did not load the p=784 snapshot");
            assertEquals(1, m.version());
            assertEquals(784, m.dimension());
        }
        List<MetricSnapshot> read = LearnerFixtures.snapshots(c);
        assertEquals(1, read.size());
        assertEquals(500, read.get(0).exemplars().size());
        assertEquals(s.metric().rank(), read.get(0).metric().rank());
    }
}
