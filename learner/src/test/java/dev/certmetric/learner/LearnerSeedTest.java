package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.embedded.WithEmbeddedKafka;
import dev.certmetric.snapshot.MetricSnapshot;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A job started without Flink state (the previous one ended, nothing restored) continues the model of
 * the last committed snapshot at parallelism 2: versions, events and classes continue, no snapshot of
 * the new job counts fewer events than the seed; with {@code learner.from-scratch} it learns anew.
 */
class LearnerSeedTest extends WithEmbeddedKafka {

    @Test
    void freshJobContinuesTheLastSnapshotAndFromScratchStartsOver() throws Exception {
        CertmetricConfig c = LearnerFixtures.config(broker, "seeded", 2);
        LearnerFixtures.createTopics(broker, c, 2);
        LearnerFixtures.Split split = LearnerFixtures.split("wine", 5);
        int n = 2000;
        int more = 600;
        List<MetricSnapshot> first = LearnerFixtures.run(broker, c, LearnerFixtures.events(split.train(), n, 1));
        MetricSnapshot seed = first.get(first.size() - 1);
        assertEquals(n, seed.trainingStats().eventsSeen());

        List<MetricSnapshot> all = LearnerFixtures.run(broker, c, LearnerFixtures.events(split.train(), more, 2));
        LearnerFixtures.assertStrictlyIncreasing(all);
        List<MetricSnapshot> second = all.subList(first.size(), all.size());
        assertFalse(second.isEmpty(), "the second job published nothing");
        for (MetricSnapshot s : second) {
            assertTrue(s.trainingStats().eventsSeen() > n,
                    "v" + s.version() + " counts " + s.trainingStats().eventsSeen() + " events, not above the seed's " + n);
            assertEquals(seed.classes(), s.classes());
        }
        MetricSnapshot last = second.get(second.size() - 1);
        assertEquals(n + more, last.trainingStats().eventsSeen(), "every event counted once, the seed's once");
        assertTrue(last.trainingStats().updates() > seed.trainingStats().updates());
        double learned = LearnerFixtures.holdoutAccuracy(last, split, true);
        double euclid = LearnerFixtures.holdoutAccuracy(last, split, false);
        System.out.printf("seed: v%d (%d events) -> v%d..v%d (%d events), holdout euclidean %.3f learned %.3f%n",
                seed.version(), n, second.get(0).version(), last.version(), last.trainingStats().eventsSeen(),
                euclid, learned);
        assertTrue(learned >= euclid - 0.05, "learned " + learned + " vs euclidean " + euclid);

        int third = 400;
        CertmetricConfig scratch = c.toBuilder().set(CertmetricConfig.FROM_SCRATCH.name(), "true").build();
        List<MetricSnapshot> after = LearnerFixtures.run(broker, scratch,
                LearnerFixtures.events(split.train(), third, 3));
        LearnerFixtures.assertStrictlyIncreasing(after);
        MetricSnapshot fresh = after.get(after.size() - 1);
        assertTrue(fresh.version() > last.version());
        assertEquals(third, fresh.trainingStats().eventsSeen(), "from scratch: only the new events");
    }
}
