package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.embedded.WithEmbeddedKafka;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.snapshot.RaceStandings;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The settings race survives a failover exactly once: a job that fails mid-race (between the second
 * and the third halving), restores its workers' races from the checkpoint and replays the rest ends
 * with the same winner, the same standings and the same model as a job that ran without failure.
 *
 * <p>At the default batch size, so checkpoints (of the clean run and of the failing one, at other events) fall
 * inside batches: the state carries a partial batch rather than stepping it, so the learning path does not depend
 * on checkpoint timing and the two runs must agree bit for bit.
 */
class SettingsRaceFailoverTest extends WithEmbeddedKafka {
    private static final int N = 3000;
    private static final int FAIL_AT = 1500;

    private CertmetricConfig config(String model) {
        return LearnerFixtures.config(broker, model, 1).toBuilder()
                .set("learner.race.enabled", "true")
                .set("learner.race.population", "6")
                .set("learner.race.first-budget", "500") // halvings at 500, 1000 and 2000 events
                .build();
    }

    @Test
    void aJobRestoredMidRaceNamesTheSameWinnerAsAnUninterruptedOne() throws Exception {
        LearnerFixtures.Split split = LearnerFixtures.split("wine", 21);
        List<byte[]> events = LearnerFixtures.events(split.train(), N, 5);

        CertmetricConfig clean = config("race-clean");
        LearnerFixtures.createTopics(broker, clean, 1);
        LearnerFixtures.produce(broker, clean.eventsTopic(), events);
        EventRange all = EventRange.firstN(clean, LearnerJob.groupId(clean), N, Duration.ofSeconds(30), a -> { });
        try (LocalLearner job = LocalLearner.start(clean, all, 0)) {
            job.await(Duration.ofSeconds(120));
        }
        MetricSnapshot expected = last(clean);

        CertmetricConfig failing = config("race-failover");
        LearnerFixtures.createTopics(broker, failing, 1);
        // As in LearnerFailoverTest: the TaskManager is killed once a snapshot of the first part is
        // committed, so a checkpoint has completed; the second part is learned by the restored job.
        LearnerFixtures.produce(broker, failing.eventsTopic(), events.subList(0, FAIL_AT));
        EventRange first = EventRange.firstN(failing, LearnerJob.groupId(failing), FAIL_AT, Duration.ofSeconds(30),
                a -> { });
        TopicPartition tp = new TopicPartition(failing.eventsTopic(), 0);
        EventRange range = new EventRange(first.start(), Map.of(tp, first.start().get(tp) + N));
        try (KillableLearner job = KillableLearner.start(failing, range)) {
            try (SnapshotFollower f = new SnapshotFollower(failing.bootstrapServers(), failing.kafkaPropertyMap(),
                    failing.snapshotsTopic(), failing.modelName())) {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (f.last() == null || f.last().trainingStats().eventsSeen() < FAIL_AT) {
                    assertTrue(System.nanoTime() < deadline, "no committed snapshot of the first " + FAIL_AT + " events");
                    f.poll(Duration.ofMillis(200));
                }
                RaceStandings midway = f.last().race().orElseThrow();
                assertFalse(midway.decided(), "the failure must come mid-race: " + midway);
            }
            job.killTaskManager();
            LearnerFixtures.produce(broker, failing.eventsTopic(), events.subList(FAIL_AT, N));
            job.await(Duration.ofSeconds(120));
            assertTrue(job.restarted(), "the job did not restart after its TaskManager was killed");
        }
        MetricSnapshot actual = last(failing);

        RaceStandings want = expected.race().orElseThrow();
        RaceStandings got = actual.race().orElseThrow();
        System.out.printf("race winner %s (clean) vs %s (failover)%n", want.leaderCandidate(), got.leaderCandidate());
        assertTrue(want.decided() && got.decided(), "both races end with one candidate");
        assertEquals(want, got, "same winner and the same standings, event for event");
        assertEquals(expected.hyperparameters(), actual.hyperparameters());
        assertEquals(N, actual.trainingStats().eventsSeen());
        assertEquals(expected.trainingStats().prequentialAccuracy(), actual.trainingStats().prequentialAccuracy());
        assertArrayEquals(expected.l(), actual.l(), "the winner learned the same model");
    }

    private static MetricSnapshot last(CertmetricConfig c) {
        List<MetricSnapshot> snapshots = LearnerFixtures.snapshots(c);
        LearnerFixtures.assertStrictlyIncreasing(snapshots);
        MetricSnapshot last = snapshots.get(snapshots.size() - 1);
        assertEquals(N, last.trainingStats().eventsSeen(), "each event counted exactly once");
        return last;
    }
}
