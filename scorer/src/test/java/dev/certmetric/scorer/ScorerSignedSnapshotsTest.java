package dev.certmetric.scorer;

import dev.certmetric.embedded.EmbeddedKafkaBroker;
import dev.certmetric.embedded.WithEmbeddedKafka;
import dev.certmetric.kafka.KafkaClientProperties;
import dev.certmetric.kafka.SignatureHeaders;
import dev.certmetric.signing.Keys;
import dev.certmetric.signing.SigningKey;
import dev.certmetric.snapshot.SnapshotCodec;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signed snapshots on a real broker: with trusted keys the scorer serves only snapshots whose record headers carry
 * a trusted key's signature of the exact value bytes; everything else is rejected as "signature" while the last
 * good model keeps serving; a key added to the trusted directory is picked up without a restart (rotation).
 */
@Timeout(120)
class ScorerSignedSnapshotsTest extends WithEmbeddedKafka {
    @Test
    void servesOnlySnapshotsSignedByATrustedKey(@TempDir Path dir) throws Exception {
        Path trusted = Files.createDirectories(dir.resolve("trusted"));
        Keys.write(Keys.generate(), dir.resolve("old"), "k");
        Keys.write(Keys.generate(), dir.resolve("new"), "k");
        Keys.write(Keys.generate(), dir.resolve("stranger"), "k");
        Files.copy(dir.resolve("old/k.pub"), trusted.resolve("old.pub"));
        SigningKey old = Keys.readSigningKey(dir.resolve("old/k.key"));
        SigningKey rotated = Keys.readSigningKey(dir.resolve("new/k.key"));
        SigningKey stranger = Keys.readSigningKey(dir.resolve("stranger/k.key"));

        String snapshots = "signed-snapshots";
        broker.createTopic(snapshots, 1, true);
        broker.createTopic("signed-requests", 1, false);
        broker.createTopic("signed-scores", 1, false);
        ScorerSettings settings = ScorerSettings.defaults(broker.bootstrapServers())
                .withTopics(snapshots, "signed-requests", "signed-scores").withModelName("iris")
                .withApplicationId("signed-scorer").withTrustedKeys(trusted);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                KafkaClientProperties.producer(broker.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer());
             ScorerService scorer = new ScorerService(settings, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            scorer.start();
            ModelRegistry registry = scorer.registry();
            send(producer, snapshots, snapshot(1), null, null);
            send(producer, snapshots, snapshot(2), old, null);
            ScorerFixtures.await(() -> registry.current() != null, Duration.ofSeconds(60), "the signed v2");
            assertEquals(2, registry.current().version());
            assertEquals(1, registry.rejectedCount(ModelRegistry.Reason.SIGNATURE), "unsigned v1");

            send(producer, snapshots, snapshot(3), stranger, null);
            send(producer, snapshots, snapshot(4), old, snapshot(40)); // v40's signature on v4's bytes
            send(producer, snapshots, snapshot(5), rotated, null);    // not trusted yet
            ScorerFixtures.await(() -> registry.rejectedCount(ModelRegistry.Reason.SIGNATURE) == 4, Duration.ofSeconds(30),
                    "three more rejections");
            assertEquals(2, registry.current().version(), "the last good model keeps serving");

            Files.copy(dir.resolve("new/k.pub"), trusted.resolve("new.pub"));
            Files.setLastModifiedTime(trusted, FileTime.from(Instant.now().plusSeconds(5)));
            send(producer, snapshots, snapshot(6), rotated, null);
            ScorerFixtures.await(() -> registry.current().version() == 6, Duration.ofSeconds(30), "v6 by the new key");

            // A replay of a validly signed but older snapshot is not a way back to an old model.
            send(producer, snapshots, snapshot(2), old, null);
            ScorerFixtures.await(() -> registry.rejectedCount(ModelRegistry.Reason.STALE) == 1, Duration.ofSeconds(30),
                    "the replayed v2 rejected as stale");
            assertEquals(6, registry.current().version());
        }
    }

    /**
     * Production settings together: the broker requires SASL/SCRAM, the scorer's clients authenticate through
     * kafka.properties, and snapshots are signed. A client without credentials gets nothing from the broker.
     */
    @Test
    void signedSnapshotsOverSaslScram(@TempDir Path dir) throws Exception {
        Keys.write(Keys.generate(), dir, "learner");
        SigningKey key = Keys.readSigningKey(dir.resolve("learner.key"));
        try (EmbeddedKafkaBroker secured = EmbeddedKafkaBroker.startWithScram("certmetric", "s3cret-" + System.nanoTime())) {
            Map<String, String> sasl = secured.clientProperties();
            try (Admin anonymous = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, secured.bootstrapServers(),
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000", AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000"))) {
                assertThrows(ExecutionException.class, () -> anonymous.listTopics().names().get(10, TimeUnit.SECONDS),
                        "a client without credentials");
            }
            Properties producerProps = KafkaClientProperties.producer(secured.bootstrapServers());
            producerProps.putAll(sasl);
            ScorerSettings settings = ScorerSettings.defaults(secured.bootstrapServers()).withKafkaProperties(sasl)
                    .withModelName("iris").withApplicationId("sasl-scorer").withTrustedKeys(dir.resolve("learner.pub"));
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                    new ByteArraySerializer());
                 ScorerService scorer = new ScorerService(settings, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
                scorer.start();
                send(producer, settings.snapshotTopic(), snapshot(1), null, null);
                send(producer, settings.snapshotTopic(), snapshot(2), key, null);
                ScorerFixtures.await(() -> scorer.registry().current() != null, Duration.ofSeconds(60), "v2 over SASL");
                assertEquals(2, scorer.registry().current().version());
                assertEquals(1, scorer.registry().rejectedCount(ModelRegistry.Reason.SIGNATURE));
            }
        }
    }

    @Test
    void aTrustedKeysPathWithoutKeysIsABadConfigValue(@TempDir Path dir) {
        ScorerSettings settings = ScorerSettings.defaults("127.0.0.1:1").withTrustedKeys(dir);
        String message = assertThrows(RuntimeException.class,
                () -> new ScorerService(settings, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))).getMessage();
        assertTrue(message.contains("scorer.trusted-keys"), message);
    }

    private static byte[] snapshot(long version) {
        return SnapshotCodec.encode(ScorerFixtures.iris("iris", version));
    }

    /** Sends {@code value}, signed by {@code key} over {@code signed} (default: the value itself) when a key is given. */
    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, byte[] value, SigningKey key,
                             byte[] signed) throws Exception {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, "iris".getBytes(StandardCharsets.UTF_8), value);
        if (key != null) {
            SignatureHeaders.sign(record.headers(), key, signed == null ? value : signed);
        }
        producer.send(record).get();
    }
}
