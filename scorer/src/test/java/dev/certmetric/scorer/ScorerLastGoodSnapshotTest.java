package dev.certmetric.scorer;

import dev.certmetric.embedded.WithEmbeddedKafka;
import dev.certmetric.kafka.KafkaClientProperties;
import dev.certmetric.snapshot.SnapshotCodec;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Row 8 of the reliability report: compaction keeps only the latest record per model, so a bad record under the
 * model's key can leave the topic without any good snapshot. A restarted scorer must still serve the last good
 * model, kept in its state directory. Simulated by restarting on a topic that holds only the bad record (what
 * compaction leaves behind). Before the kept snapshot, the restarted scorer waited for a model forever.
 */
@Timeout(120)
class ScorerLastGoodSnapshotTest extends WithEmbeddedKafka {
    @Test
    void aRestartServesTheKeptModelWhenTheTopicHoldsOnlyABadRecord(@TempDir Path stateDir) throws Exception {
        broker.createTopic("kept-requests", 1, false);
        broker.createTopic("kept-scores", 1, false);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                KafkaClientProperties.producer(broker.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            broker.createTopic("kept-before", 1, true);
            send(producer, "kept-before", SnapshotCodec.encode(ScorerFixtures.iris("iris", 3)));
            try (ScorerService scorer = scorer("kept-before", stateDir)) {
                ScorerFixtures.await(() -> scorer.registry().current() != null, Duration.ofSeconds(60), "v3");
            }

            broker.createTopic("kept-after-compaction", 1, true);
            send(producer, "kept-after-compaction", "{\"not\": \"a snapshot\"}".getBytes(StandardCharsets.UTF_8));
            try (ScorerService scorer = scorer("kept-after-compaction", stateDir)) {
                assertEquals(3, scorer.registry().current().version(), "served from the state directory at start");
                ScorerFixtures.await(() -> scorer.registry().rejectedCount(ModelRegistry.Reason.CORRUPT) == 1,
                        Duration.ofSeconds(60), "the bad record read and rejected");
                assertEquals(3, scorer.registry().current().version());

                send(producer, "kept-after-compaction", SnapshotCodec.encode(ScorerFixtures.iris("iris", 4)));
                ScorerFixtures.await(() -> scorer.registry().current().version() == 4, Duration.ofSeconds(30),
                        "a newer good snapshot replaces the kept one");
            }
        }
    }

    private static ScorerService scorer(String snapshots, Path stateDir) {
        ScorerSettings settings = ScorerSettings.defaults(broker.bootstrapServers())
                .withTopics(snapshots, "kept-requests", "kept-scores").withModelName("iris")
                .withApplicationId("kept-" + snapshots).withStateDir(stateDir);
        return new ScorerService(settings, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).start();
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, "iris".getBytes(StandardCharsets.UTF_8), value)).get();
    }
}
