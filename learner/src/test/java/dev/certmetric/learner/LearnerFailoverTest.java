package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.embedded.WithEmbeddedKafka;
import dev.certmetric.snapshot.MetricSnapshot;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TaskManager killed mid-stream: the job restores from its last checkpoint
 * and replays, and still every event is learned exactly once and versions never repeat.
 */
class LearnerFailoverTest extends WithEmbeddedKafka {

    /**
     * The stream arrives in two halves: the job (bounded at n records by offsets, so it waits for the
     * rest) learns the first half, the test waits until a snapshot holding exactly that half is committed
     * (a checkpoint after it has completed), kills the TaskManager, and only then produces the second half,
     * which the restored job learns.
     */
    @Test
    void restoresFromCheckpointAndCountsEveryEventOnce() throws Exception {
        int n = 4000;
        int half = n / 2;
        CertmetricConfig c = LearnerFixtures.config(broker, "failover", 1);
        LearnerFixtures.createTopics(broker, c, 1);
        LearnerFixtures.Split split = LearnerFixtures.split("wine", 11);
        List<byte[]> events = LearnerFixtures.events(split.train(), n, 3);
        LearnerFixtures.produce(broker, c.eventsTopic(), events.subList(0, half));
        EventRange firstHalf = EventRange.firstN(c, LearnerJob.groupId(c), half, Duration.ofSeconds(30), a -> { });
        TopicPartition tp = new TopicPartition(c.eventsTopic(), 0);
        EventRange range = new EventRange(firstHalf.start(), Map.of(tp, firstHalf.start().get(tp) + n));
        try (KillableLearner job = KillableLearner.start(c, range)) {
            try (SnapshotFollower f = new SnapshotFollower(c.bootstrapServers(), c.kafkaPropertyMap(),
                    c.snapshotsTopic(), c.modelName())) {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (f.last() == null || f.last().trainingStats().eventsSeen() < half) {
                    assertTrue(System.nanoTime() < deadline, "no committed snapshot of the first " + half + " events");
                    f.poll(Duration.ofMillis(200));
                }
                assertEquals(half, f.last().trainingStats().eventsSeen(), "the job stops at the end of the first half");
            }
            job.killTaskManager();
            LearnerFixtures.produce(broker, c.eventsTopic(), events.subList(half, n));
            job.await(Duration.ofSeconds(90));
            assertTrue(job.restarted(), "the job did not restart after its TaskManager was killed");
        }

        List<MetricSnapshot> snapshots = LearnerFixtures.snapshots(c);
        LearnerFixtures.assertStrictlyIncreasing(snapshots);
        Set<Long> versions = new HashSet<>();
        for (MetricSnapshot s : snapshots) {
            assertTrue(versions.add(s.version()), "duplicate version " + s.version());
        }
        MetricSnapshot last = snapshots.get(snapshots.size() - 1);
        assertEquals(n, last.trainingStats().eventsSeen(), "each event counted exactly once");
        long previous = 0;
        for (MetricSnapshot s : snapshots) {
            assertTrue(s.trainingStats().eventsSeen() >= previous, "committed snapshots never go back in events");
            previous = s.trainingStats().eventsSeen();
        }
        double euclid = LearnerFixtures.holdoutAccuracy(last, split, false);
        double learned = LearnerFixtures.holdoutAccuracy(last, split, true);
        System.out.printf("failover: %d snapshots v%d..v%d, holdout euclidean %.3f learned %.3f%n", snapshots.size(),
                snapshots.get(0).version(), last.version(), euclid, learned);
        assertTrue(learned >= euclid - 0.05, "learned " + learned + " vs euclidean " + euclid);
    }
}
