package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.embedded.WithEmbeddedKafka;
import dev.certmetric.snapshot.MetricSnapshot;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** End to end on a real embedded broker and Flink MiniCluster: events in, snapshots out. */
class LearnerJobTest extends WithEmbeddedKafka {

    @Test
    void topologyUsesNoGenericTypes() {
        CertmetricConfig c = LearnerFixtures.config(broker, "types", 2);
        org.apache.flink.streaming.api.environment.StreamExecutionEnvironment env =
                org.apache.flink.streaming.api.environment.StreamExecutionEnvironment.createLocalEnvironment(2,
                        LearnerJob.flinkConfiguration(c));
        assertTrue(env.getConfig().getSerializerConfig().hasGenericTypesDisabled());
        LearnerJob.build(env, c, null);
        // building the graph serializes every type; with generic types disabled a Kryo fallback would throw
        env.getStreamGraph();
    }

    /**
     * A savepoint taken at parallelism 1 must resume at 2 (found on a real cluster): Flink maps operator state by
     * uid and refuses a different max parallelism, so every stateful operator must have the same one at any P.
     */
    @Test
    void statefulOperatorsKeepTheirMaxParallelismAcrossParallelism() {
        java.util.Map<String, Integer> atOne = maxParallelismOfVertices(1);
        java.util.Map<String, Integer> atTwo = maxParallelismOfVertices(2);
        for (String uid : java.util.List.of("snapshot-publisher", "learner")) {
            assertEquals(atOne.get(uid), atTwo.get(uid), uid + ": " + atOne + " vs " + atTwo);
        }
    }

    /** The max parallelism of the job vertex (after chaining) that holds each operator, by operator name. */
    private java.util.Map<String, Integer> maxParallelismOfVertices(int p) {
        CertmetricConfig c = LearnerFixtures.config(broker, "maxpar" + p, p);
        org.apache.flink.streaming.api.environment.StreamExecutionEnvironment env =
                org.apache.flink.streaming.api.environment.StreamExecutionEnvironment.createLocalEnvironment(p,
                        LearnerJob.flinkConfiguration(c));
        LearnerJob.build(env, c, null);
        java.util.Map<String, Integer> byName = new java.util.HashMap<>();
        for (org.apache.flink.runtime.jobgraph.JobVertex v : env.getStreamGraph().getJobGraph().getVertices()) {
            for (String name : java.util.List.of("snapshot-publisher", "learner")) {
                if (v.getName().contains(name)) {
                    byName.put(name, v.getMaxParallelism());
                }
            }
        }
        return byName;
    }

    @Test
    void eventsInSnapshotsOutWithStrictlyIncreasingVersions() throws Exception {
        CertmetricConfig c = LearnerFixtures.config(broker, "e2e", 1);
        LearnerFixtures.createTopics(broker, c, 1);
        LearnerFixtures.Split split = LearnerFixtures.split("wine", 7);
        int n = 3000;
        LearnerFixtures.produce(broker, c.eventsTopic(), LearnerFixtures.events(split.train(), n, 1));

        EventRange range = EventRange.firstN(c, LearnerJob.groupId(c), n, Duration.ofSeconds(30), a -> { });
        assertEquals(n, range.size());
        try (LocalLearner job = LocalLearner.start(c, range, 0)) {
            job.await(Duration.ofSeconds(90));
        }
        List<MetricSnapshot> snapshots = LearnerFixtures.snapshots(c);
        assertFalse(snapshots.isEmpty(), "no committed snapshot");
        LearnerFixtures.assertStrictlyIncreasing(snapshots);
        MetricSnapshot last = snapshots.get(snapshots.size() - 1);
        assertEquals(n, last.trainingStats().eventsSeen(), "every event learned exactly once");
        assertEquals(1, snapshots.get(0).version());
        assertEquals(3, last.classes().size());
        assertTrue(last.exemplars().size() <= 3L * c.exemplarsPerClass());
        assertEquals(101, last.trainingStats().anomalyCalibration().length);
        double euclid = LearnerFixtures.holdoutAccuracy(last, split, false);
        double learned = LearnerFixtures.holdoutAccuracy(last, split, true);
        System.out.printf("e2e: %d snapshots v%d..v%d, prequential %.3f, holdout euclidean %.3f learned %.3f%n",
                snapshots.size(), snapshots.get(0).version(), last.version(),
                last.trainingStats().prequentialAccuracy(), euclid, learned);
        assertTrue(learned >= euclid - 0.05, "learned " + learned + " vs euclidean " + euclid);

        // A fresh start of the same model continues above the committed versions, from the last snapshot's model.
        int more = 500;
        LearnerFixtures.produce(broker, c.eventsTopic(), LearnerFixtures.events(split.train(), more, 2));
        EventRange next = EventRange.firstN(c, LearnerJob.groupId(c), more, Duration.ofSeconds(30), a -> { });
        try (LocalLearner job = LocalLearner.start(c, next, 0)) {
            job.await(Duration.ofSeconds(60));
        }
        List<MetricSnapshot> all = LearnerFixtures.snapshots(c);
        LearnerFixtures.assertStrictlyIncreasing(all);
        assertTrue(all.size() > snapshots.size());
        assertEquals(n + more, all.get(all.size() - 1).trainingStats().eventsSeen(),
                "the restarted job read only the new events (group offsets committed by checkpoints) and continued "
                        + "the counts of the last snapshot");
    }
}
