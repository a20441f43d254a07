package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.embedded.WithEmbeddedKafka;
import dev.certmetric.events.EventEncoder;
import dev.certmetric.events.LabeledEvent;
import dev.certmetric.kafka.KafkaClientProperties;
import dev.certmetric.kafka.SignatureHeaders;
import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.preprocess.Standardizer;
import dev.certmetric.signing.Keys;
import dev.certmetric.signing.SigningKey;
import dev.certmetric.snapshot.Exemplar;
import dev.certmetric.snapshot.Hyperparameters;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.snapshot.SnapshotCodec;
import dev.certmetric.snapshot.TrainingStats;
import dev.certmetric.train.ThreeClasses;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a job started without Flink state continues from, beyond {@link LearnerSeedTest}: a snapshot of the
 * Euclidean guard's identity at a rank above the learner's, and, with signing on, only the newest record signed
 * with the learner's own key (records someone else wrote to the snapshot topic are skipped).
 */
class LearnerSeedTrustTest extends WithEmbeddedKafka {
    private static final int P = 80;
    private static final int SEED_EVENTS = 5000;

    /**
     * Issue 8: at p = 80 the learner runs at rank 32 (learner.rank 0) and the guard may publish the identity (q =
     * 80). A fresh job at parallelism 2 continues such a snapshot (published here by hand, as ModelMerger writes
     * it): counts, classes and versions go on.
     */
    @Test
    void anIdentitySnapshotAboveTheLearnersRankIsContinued() throws Exception {
        CertmetricConfig c = LearnerFixtures.config(broker, "identity80", 2);
        LearnerFixtures.createTopics(broker, c, 2);
        Random rnd = new Random(80);
        List<String> classes = List.of("c0", "c1", "c2");
        List<Exemplar> exemplars = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            exemplars.add(new Exemplar(classes.get(i % 3), ThreeClasses.point(rnd, i % 3, P)));
        }
        MetricSnapshot seed = MetricSnapshot.builder()
                .modelName(c.modelName())
                .version(7)
                .createdAt(Instant.parse("2026-11-29T00:00:00Z"))
                .metric(MahalanobisMetric.euclidean(P))
                .preprocessing(Standardizer.identity(P))
                .hyperparameters(new Hyperparameters(3, 10, 0.34, 20, 0.27, P, "adam", 0.03, 100, 8,
                        new TreeMap<>(Map.of(Hyperparameters.METRIC, Hyperparameters.EUCLIDEAN_METRIC))))
                .trainingStats(new TrainingStats(SEED_EVENTS, 600, 0.9, 0.1, 0, 0.1, 0.2, new double[0]))
                .classes(classes)
                .exemplars(exemplars)
                .build();
        publish(c, seed, null, null);

        int n = 600;
        List<byte[]> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int y = rnd.nextInt(3);
            events.add(EventEncoder.toJson(new LabeledEvent("e" + i, classes.get(y), ThreeClasses.point(rnd, y, P),
                    1_700_000_000_000L + i)));
        }
        List<MetricSnapshot> after = LearnerFixtures.run(broker, c, events);
        assertEquals(7, after.get(0).version(), "the hand-published seed");
        List<MetricSnapshot> published = after.subList(1, after.size());
        assertFalse(published.isEmpty(), "the job published nothing");
        LearnerFixtures.assertStrictlyIncreasing(after);
        for (MetricSnapshot s : published) {
            assertTrue(s.trainingStats().eventsSeen() > SEED_EVENTS, "v" + s.version() + " counts "
                    + s.trainingStats().eventsSeen() + " events, not above the seed's " + SEED_EVENTS);
            assertEquals(classes, s.classes());
            assertEquals(s.hyperparameters().carriesEuclidean() ? P : 32, s.q(), "v" + s.version());
        }
        assertEquals(SEED_EVENTS + n, published.get(published.size() - 1).trainingStats().eventsSeen(),
                "every event counted once, the seed's once");
    }

    /**
     * With snapshots.signing-key set, a fresh job continues the newest record signed with that key: a later
     * unsigned record, one signed by another key and one whose bytes do not match its signature are skipped.
     */
    @Test
    void aSignedSeedSkipsForgedRecords(@TempDir Path dir) throws Exception {
        Keys.write(Keys.generate(), dir, "learner");
        Keys.write(Keys.generate(), dir, "stranger");
        SigningKey ours = Keys.readSigningKey(dir.resolve("learner.key"));
        SigningKey stranger = Keys.readSigningKey(dir.resolve("stranger.key"));
        CertmetricConfig c = LearnerFixtures.config(broker, "signedseed", 1).toBuilder()
                .set(CertmetricConfig.SIGNING_KEY.name(), dir.resolve("learner.key").toString())
                .build();
        LearnerFixtures.createTopics(broker, c, 1);
        LearnerFixtures.Split split = LearnerFixtures.split("wine", 5);
        int n = 800;
        List<MetricSnapshot> first = LearnerFixtures.run(broker, c, LearnerFixtures.events(split.train(), n, 1));
        MetricSnapshot good = first.get(first.size() - 1);
        assertEquals(n, good.trainingStats().eventsSeen());
        assertEquals(good.version(), SnapshotTopicReader.lastTrusted(c, Duration.ofSeconds(30)).version(),
                "signed seeding: the job's own last snapshot");

        TrainingStats t = good.trainingStats();
        long planted = 1_000_000;
        MetricSnapshot forged = good.toBuilder().trainingStats(new TrainingStats(planted, t.updates(),
                t.prequentialAccuracy(), t.meanLoss(), t.marginP10(), t.marginP50(), t.marginP90(),
                t.anomalyCalibration())).build();
        MetricSnapshot unsigned = forged.toBuilder().version(good.version() + 100).build();
        MetricSnapshot foreign = forged.toBuilder().version(good.version() + 101).build();
        MetricSnapshot tampered = forged.toBuilder().version(good.version() + 102).build();
        publish(c, unsigned, null, null);
        publish(c, foreign, stranger, null);
        publish(c, tampered, ours, SnapshotCodec.encode(good));
        assertEquals(good.version(), SnapshotTopicReader.lastTrusted(c, Duration.ofSeconds(30)).version(),
                "the forged records are skipped, the last good one is the seed");

        int more = 300;
        List<MetricSnapshot> all = LearnerFixtures.run(broker, c, LearnerFixtures.events(split.train(), more, 2));
        List<MetricSnapshot> second = all.subList(first.size() + 3, all.size());
        assertFalse(second.isEmpty(), "the second job published nothing");
        for (MetricSnapshot s : second) {
            assertTrue(s.version() > tampered.version(), "versions continue above every committed one");
            assertTrue(s.trainingStats().eventsSeen() > n && s.trainingStats().eventsSeen() <= n + more,
                    "v" + s.version() + " counts " + s.trainingStats().eventsSeen() + " events");
        }
        assertEquals(n + more, second.get(second.size() - 1).trainingStats().eventsSeen(),
                "continued from the good snapshot, not from the planted " + planted);
        assertEquals(second.get(second.size() - 1).version(),
                SnapshotTopicReader.lastTrusted(c, Duration.ofSeconds(30)).version(), "its own snapshots are signed");
    }

    /**
     * A topic that holds snapshots of the model, none signed with the learner's key, is not read as "no model":
     * the seed fails with the key's name and the ways out. Other models' records do not count.
     */
    @Test
    void onlyUntrustedRecordsOfTheModelFailTheSeed(@TempDir Path dir) throws Exception {
        Keys.write(Keys.generate(), dir, "learner");
        CertmetricConfig c = LearnerFixtures.config(broker, "untrusted", 1).toBuilder()
                .set(CertmetricConfig.SIGNING_KEY.name(), dir.resolve("learner.key").toString())
                .build();
        LearnerFixtures.createTopics(broker, c, 1);
        MetricSnapshot other = MetricSnapshot.builder()
                .modelName("someone-else")
                .version(3)
                .createdAt(Instant.parse("2026-11-29T00:00:00Z"))
                .metric(MahalanobisMetric.euclidean(2))
                .preprocessing(Standardizer.identity(2))
                .hyperparameters(new Hyperparameters(3, 10, 0.34, 20, 0.27, 2, "adam", 0.03, 100, 8, new TreeMap<>()))
                .trainingStats(new TrainingStats(10, 1, 0.9, 0.1, 0, 0.1, 0.2, new double[0]))
                .classes(List.of("a", "b"))
                .exemplars(List.of(new Exemplar("a", new double[] {0, 1}), new Exemplar("b", new double[] {1, 0})))
                .build();
        publish(c, other, null, null);
        assertNull(SnapshotTopicReader.lastTrusted(c, Duration.ofSeconds(30)), "no snapshot of this model: fresh");

        publish(c, other.toBuilder().modelName(c.modelName()).build(), null, null);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SnapshotTopicReader.lastTrusted(c, Duration.ofSeconds(30)));
        assertTrue(e.getMessage().contains("1 snapshot record(s) of untrusted")
                && e.getMessage().contains("snapshots.signing-key (id " + Keys.readSigningKey(
                        dir.resolve("learner.key")).id()) && e.getMessage().contains("--from-scratch"), e.getMessage());
    }

    /**
     * Writes {@code s} to the snapshot topic as someone other than the job would: signed by {@code signer} (none:
     * unsigned) over {@code signed} (null: the record's own bytes).
     */
    private static void publish(CertmetricConfig c, MetricSnapshot s, SigningKey signer, byte[] signed) {
        byte[] value = SnapshotCodec.encode(s);
        RecordHeaders headers = new RecordHeaders();
        if (signer != null) {
            SignatureHeaders.sign(headers, signer, signed != null ? signed : value);
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                KafkaClientProperties.producer(broker.bootstrapServers()), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(c.snapshotsTopic(), null,
                    s.modelName().getBytes(StandardCharsets.UTF_8), value, headers));
            producer.flush();
        }
    }
}
