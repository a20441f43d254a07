package dev.certmetric.scorer;

import dev.certmetric.embedded.WithEmbeddedKafka;
import dev.certmetric.kafka.KafkaClientProperties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/**
 * Base of scorer tests on the embedded broker: one unbatched producer per class, each test's own snapshot, request
 * and score topics ({@link #topics}), and whatever a test adds to {@link #closeables} (scorers, consumers) closed
 * after it, last first.
 */
abstract class ScorerOnBroker extends WithEmbeddedKafka {
    static KafkaProducer<byte[], byte[]> producer;
    final List<AutoCloseable> closeables = new ArrayList<>();
    String snapshots;
    String requests;
    String scores;

    /** Creates fresh snapshot (compacted), request and score topics named after the test; returns their suffix. */
    String topics(String test) {
        String suffix = test + "-" + UUID.randomUUID().toString().substring(0, 8);
        snapshots = "snapshots-" + suffix;
        requests = "requests-" + suffix;
        scores = "scores-" + suffix;
        broker.createTopic(snapshots, 1, true);
        broker.createTopic(requests, 1, false);
        broker.createTopic(scores, 1, false);
        return suffix;
    }

    @BeforeAll
    static void startProducer() {
        Properties p = KafkaClientProperties.producer(broker.bootstrapServers());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stopProducer() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        closeables.clear();
    }
}
