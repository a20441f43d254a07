package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.embedded.WithEmbeddedKafka;
import dev.certmetric.snapshot.MetricSnapshot;
import org.apache.flink.configuration.CheckpointingOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every checkpoint publishes the model if it changed, so the last committed snapshot counts the events
 * whose offsets the last checkpoint committed (a restart without Flink state resumes from those offsets
 * and from that snapshot). Publication by update count and by timer are off here, as by default (the
 * fixtures switch them on), so only the checkpoints can publish.
 */
class LearnerCheckpointSnapshotTest extends WithEmbeddedKafka {

    @ParameterizedTest(name = "parallelism {0}")
    @ValueSource(ints = {1, 2})
    void everyCheckpointPublishesWhatWasLearned(int parallelism) throws Exception {
        CertmetricConfig c = LearnerFixtures.config(broker, "cp" + parallelism, parallelism).toBuilder()
                .set("snapshots.every-millis", CertmetricConfig.SNAPSHOT_EVERY_MILLIS.defaultValue().toString())
                .set("snapshots.every-updates", CertmetricConfig.SNAPSHOT_EVERY_UPDATES.defaultValue().toString())
                .build();
        assertFalse(LearnerJob.flinkConfiguration(c).get(CheckpointingOptions.ENABLE_UNALIGNED),
                "the publisher relies on aligned barriers");
        LearnerFixtures.createTopics(broker, c, parallelism);
        int n = 2000;
        LearnerFixtures.produce(broker, c.eventsTopic(),
                LearnerFixtures.events(LearnerFixtures.split("wine", 3).train(), n, 5));
        MetricSnapshot last = null;
        try (LocalLearner job = LocalLearner.start(c, null, 0);
             SnapshotFollower follower = new SnapshotFollower(c.bootstrapServers(), c.kafkaPropertyMap(),
                     c.snapshotsTopic(), c.modelName())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while ((last == null || last.trainingStats().eventsSeen() < n) && System.nanoTime() < deadline) {
                follower.poll(Duration.ofMillis(200));
                last = follower.last();
            }
            assertNotNull(last, "no snapshot committed with any checkpoint");
            assertEquals(n, last.trainingStats().eventsSeen(), "the last committed snapshot counts every event");
            // Nothing learned any more: the following checkpoints (every 300 ms) publish nothing, also at
            // parallelism 2, where the workers keep adopting the merged model.
            long version = last.version();
            long quiet = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < quiet) {
                follower.poll(Duration.ofMillis(200));
            }
            assertEquals(version, follower.last().version(), "a checkpoint without learning published a snapshot");
            assertTrue(follower.strictlyIncreasing());
        }
        List<MetricSnapshot> all = LearnerFixtures.snapshots(c);
        LearnerFixtures.assertStrictlyIncreasing(all);
        assertEquals(1, all.get(0).version());
        assertEquals(all.size(), all.get(all.size() - 1).version(), "versions 1..n without a gap");
    }
}
