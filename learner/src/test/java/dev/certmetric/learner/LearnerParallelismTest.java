package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.embedded.WithEmbeddedKafka;
import dev.certmetric.snapshot.MetricSnapshot;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** learner.parallelism = 2: two workers, one merged model, one version sequence. */
class LearnerParallelismTest extends WithEmbeddedKafka {

    @Test
    void twoWorkersPublishOneLineage() throws Exception {
        CertmetricConfig c = LearnerFixtures.config(broker, "parallel", 2);
        LearnerFixtures.createTopics(broker, c, 2);
        LearnerFixtures.Split split = LearnerFixtures.split("wine", 13);
        int n = 4000;
        LearnerFixtures.produce(broker, c.eventsTopic(), LearnerFixtures.events(split.train(), n, 4));
        EventRange range = EventRange.firstN(c, LearnerJob.groupId(c), n, Duration.ofSeconds(30), a -> { });
        try (LocalLearner job = LocalLearner.start(c, range, 0)) {
            job.await(Duration.ofSeconds(90));
        }
        List<MetricSnapshot> snapshots = LearnerFixtures.snapshots(c);
        LearnerFixtures.assertStrictlyIncreasing(snapshots);
        assertEquals(1, snapshots.get(0).version());
        MetricSnapshot last = snapshots.get(snapshots.size() - 1);
        assertEquals(snapshots.size(), last.version(), "one gap-free sequence 1..n");
        assertEquals(n, last.trainingStats().eventsSeen());
        assertEquals("2", last.hyperparameters().extra().get("lineages"));
        double euclid = LearnerFixtures.holdoutAccuracy(last, split, false);
        double learned = LearnerFixtures.holdoutAccuracy(last, split, true);
        System.out.printf("parallel: %d snapshots, prequential %.3f, holdout euclidean %.3f learned %.3f%n",
                snapshots.size(), last.trainingStats().prequentialAccuracy(), euclid, learned);
        assertTrue(learned >= euclid - 0.05, "learned " + learned + " vs euclidean " + euclid);
    }

    @Test
    void unboundedWorkersAdoptTheMergedModel() throws Exception {
        CertmetricConfig c = LearnerFixtures.config(broker, "parallel-sync", 2);
        LearnerFixtures.createTopics(broker, c, 2);
        LearnerFixtures.Split split = LearnerFixtures.split("wine", 13);
        int n = 4000;
        LearnerFixtures.produce(broker, c.eventsTopic(), LearnerFixtures.events(split.train(), n, 4));
        MetricSnapshot last = null;
        try (LocalLearner job = LocalLearner.start(c, null, 0, CollectingReporter.configuration());
             SnapshotFollower follower = new SnapshotFollower(c.bootstrapServers(), c.kafkaPropertyMap(),
                     c.snapshotsTopic(), c.modelName())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while ((last == null || last.trainingStats().eventsSeen() < n) && System.nanoTime() < deadline) {
                follower.poll(Duration.ofMillis(200));
                last = follower.last();
                org.apache.flink.api.common.JobStatus status = job.status();
                assertTrue(status == null || !status.isGloballyTerminalState(), "job ended: " + status);
            }
            assertTrue(follower.strictlyIncreasing());
            assertEquals(1, follower.firstVersion());
        }
        assertEquals(n, last.trainingStats().eventsSeen(), "all events learned exactly once");
        long syncs = CollectingReporter.count(id -> id.contains(LearnerJob.jobName(c))
                && id.endsWith(".certmetric.model_syncs"));
        assertTrue(syncs > 0, "no worker adopted a merged model");
        List<MetricSnapshot> all = LearnerFixtures.snapshots(c);
        LearnerFixtures.assertStrictlyIncreasing(all);
        double euclid = LearnerFixtures.holdoutAccuracy(last, split, false);
        double learned = LearnerFixtures.holdoutAccuracy(last, split, true);
        System.out.printf("parallel-sync: %d snapshots, %d syncs, prequential %.3f, holdout euclidean %.3f learned %.3f%n",
                all.size(), syncs, last.trainingStats().prequentialAccuracy(), euclid, learned);
        assertTrue(learned >= euclid - 0.05, "learned " + learned + " vs euclidean " + euclid);
    }
}
