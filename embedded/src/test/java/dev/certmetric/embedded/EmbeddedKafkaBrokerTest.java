package dev.certmetric.embedded;

import dev.certmetric.kafka.KafkaClientProperties;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
class EmbeddedKafkaBrokerTest {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
        broker.close();
    }

    @Test
    void createsPlainAndCompactedTopicsIdempotently() throws Exception {
        broker.createTopic("plain", 2, false);
        broker.createTopic("plain", 2, false);
        broker.createTopic("compacted", 1, true);

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            assertEquals(2, admin.describeTopics(List.of("plain")).allTopicNames().get()
                    .get("plain").partitions().size());
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "compacted");
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertEquals(TopicConfig.CLEANUP_POLICY_COMPACT, config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value());
        }
    }

    /** A bad record must not compact the last good snapshot away at once: the snapshot topic has a compaction lag. */
    @Test
    void theSnapshotTopicKeepsRecordsFromCompactionForAnHour() throws Exception {
        broker.createSnapshotTopic("snapshots", 8 * 1024 * 1024);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "snapshots");
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertEquals(TopicConfig.CLEANUP_POLICY_COMPACT, config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value());
            assertEquals("3600000", config.get(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG).value());
        }
    }

    @Test
    void readCommittedConsumerSeesOnlyCommittedTransactions() {
        broker.createTopic("tx", 1, false);
        Properties producerProps = KafkaClientProperties.producer(broker.bootstrapServers());
        producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-test");
        try (var producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tx", "k", "aborted"));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tx", "k", "committed-1"));
            producer.send(new ProducerRecord<>("tx", "k", "committed-2"));
            producer.commitTransaction();
        }

        Properties consumerProps = KafkaClientProperties.consumer(broker.bootstrapServers(), "tx-reader");
        assertEquals("read_committed", consumerProps.get(ConsumerConfig.ISOLATION_LEVEL_CONFIG));
        try (var consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("tx"));
            assertEquals(List.of("committed-1", "committed-2"), pollValues(consumer, 2));
        }
    }

    @Test
    void persistentDataDirKeepsTopicsAcrossRestarts(@TempDir Path dataDir) throws Exception {
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start(dataDir, 0)) {
            first.createTopic("kept", 1, false);
        }
        try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.start(dataDir, 0);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, second.bootstrapServers()))) {
            assertTrue(admin.listTopics().names().get().contains("kept"));
        }
        assertTrue(Files.isDirectory(dataDir.resolve("kraft-combined-logs")));
    }

    private static List<String> pollValues(KafkaConsumer<String, String> consumer, int expected) {
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (values.size() < expected && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                values.add(r.value());
            }
        }
        return values;
    }
}
