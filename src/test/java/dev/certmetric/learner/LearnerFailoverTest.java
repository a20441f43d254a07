package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.kafka.EmbeddedKafkaBroker;
import dev.certmetric.snapshot.MetricSnapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A failure injected mid-stream in the learner operator: the job restores from its last checkpoint
 * and replays, and still every event is learned exactly once and versions never repeat.
 */
class LearnerFailoverTest {
    static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void restoresFromCheckpointAndCountsEveryEventOnce() throws Exception {
        CertmetricConfig c = LearnerFixtures.config(broker, "failover", 1).toBuilder()
                .failAfterEvents(2000).build();
        LearnerFixtures.createTopics(broker, c, 1);
        LearnerFixtures.Split split = LearnerFixtures.split("wine", 11);
        int n = 4000;
        LearnerFixtures.produce(broker, c.eventsTopic(), LearnerFixtures.events(split.train(), n, 3));
        EventRange range = EventRange.firstN(c, LearnerJob.groupId(c), n, Duration.ofSeconds(30), a -> { });
        try (LocalLearner job = LocalLearner.start(c, range, 0)) {
            job.await(Duration.ofSeconds(90));
        }
        assertTrue(AbstractLearnerWorker.FAILED_ONCE.contains("failover"), "the injected failure did not fire");
        assertTrue(AbstractLearnerWorker.RESTORED_AFTER_FAILURE.contains("failover"),
                "the learner was not restored from a checkpoint after the failure");

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
