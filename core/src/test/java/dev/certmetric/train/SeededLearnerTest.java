package dev.certmetric.train;

import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.snapshot.Exemplar;
import dev.certmetric.snapshot.Hyperparameters;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.snapshot.TrainingStats;
import dev.certmetric.triplets.TripletWindow;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A fresh start from a published snapshot carries the model on rather than starting from scratch. */
class SeededLearnerTest {
    private static final int P = 16;

    private static MetricSnapshot publish(StreamingLearner learner) {
        return publish(learner, learner.metric(), "learned");
    }

    /** What the job publishes of {@code learner} when it serves {@code metric} ({@code kind}: learned or euclidean). */
    private static MetricSnapshot publish(StreamingLearner learner, MahalanobisMetric metric, String kind) {
        List<Exemplar> exemplars = new ArrayList<>();
        for (TripletWindow.Entry e : learner.window().entries()) {
            exemplars.add(new Exemplar(learner.labels().get(e.label()), e.x()));
        }
        StreamingLearner.Counters c = learner.counters();
        return MetricSnapshot.builder()
                .modelName("seed")
                .version(12)
                .createdAt(Instant.parse("2026-01-01T00:00:00Z"))
                .metric(metric)
                .preprocessing(learner.standardizer())
                .hyperparameters(new Hyperparameters(3, 10, 0.34, 20, 0.27, metric.rank(), "adam", 0.03, 100, 8,
                        new java.util.TreeMap<>(Map.of(Hyperparameters.METRIC, kind))))
                .trainingStats(new TrainingStats(c.events(), c.updates(), learner.prequentialAccuracy(), 0.1, 0, 0.1,
                        0.2, new double[0]))
                .classes(learner.labels())
                .exemplars(exemplars)
                .build();
    }

    @Test
    void aSeededLearnerStartsWhereThePublishedModelStood() {
        LearnersTest.Split s = LearnersTest.data(5, 1200);
        StreamingLearner trained = new StreamingLearner(LearnerSettings.DEFAULT, P);
        int half = s.train().length / 2;
        for (int i = 0; i < half; i++) {
            trained.testThenTrain(s.train()[i], "c" + s.trainY()[i], i);
        }
        trained.flush();
        MetricSnapshot snapshot = publish(trained);

        StreamingLearner seeded = StreamingLearner.seededFrom(snapshot, LearnerSettings.DEFAULT);
        assertArrayEquals(snapshot.l(), seeded.metric().l(), "the published metric, not the identity");
        assertEquals(snapshot.classes(), seeded.labels());
        assertEquals(half, seeded.events(), "eventsSeen carries on, so a higher version never holds fewer events");
        assertEquals(trained.updates(), seeded.updates());
        assertEquals(snapshot.exemplars().size(), seeded.window().size());
        double[] mean = seeded.standardizer().mean();
        double[] std = seeded.standardizer().std();
        for (int f = 0; f < P; f++) {
            assertEquals(snapshot.preprocessing().mean()[f], mean[f], 1e-12);
            assertEquals(snapshot.preprocessing().std()[f], std[f], 1e-9 * snapshot.preprocessing().std()[f]);
        }
        // The window's entries map back to the published exemplars.
        List<TripletWindow.Entry> entries = seeded.window().entries();
        for (int i = 0; i < entries.size(); i++) {
            assertArrayEquals(snapshot.exemplars().get(i).features(), entries.get(i).x(), 1e-9);
        }

        // It predicts from the first event on, as well as the model it continues.
        StreamingLearner fresh = new StreamingLearner(LearnerSettings.DEFAULT, P);
        int seededCorrect = 0;
        int freshCorrect = 0;
        for (int i = half; i < half + 100; i++) {
            seededCorrect += seeded.testThenTrain(s.train()[i], "c" + s.trainY()[i], i).correct() ? 1 : 0;
            freshCorrect += fresh.testThenTrain(s.train()[i], "c" + s.trainY()[i], i).correct() ? 1 : 0;
        }
        assertTrue(seededCorrect > freshCorrect + 5, "seeded " + seededCorrect + " vs fresh " + freshCorrect);
    }

    @Test
    void aLearnedSnapshotOfAnotherRankIsRefusedNamingTheKeys() {
        LearnersTest.Split s = LearnersTest.data(6, 300);
        StreamingLearner trained = new StreamingLearner(LearnerSettings.DEFAULT, P);
        for (int i = 0; i < 200; i++) {
            trained.testThenTrain(s.train()[i], "c" + s.trainY()[i], i);
        }
        MetricSnapshot snapshot = publish(trained);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StreamingLearner.seededFrom(snapshot, withRank(4)));
        assertTrue(e.getMessage().contains("learned metric of rank 16") && e.getMessage().contains("learner.rank = 4")
                && e.getMessage().contains("learner.rank: 16") && e.getMessage().contains("learner.from-scratch"),
                e.getMessage());
    }

    /**
     * Issue 8: at p > 64 the learner runs at rank 32 while its Euclidean guard may publish the full-rank identity.
     * A fresh start from such a snapshot used to fail on the rank; it seeds everything but L, which starts where a
     * fresh learner of that rank starts, and keeps serving the identity until its own guard decides otherwise.
     */
    @Test
    void anIdentitySnapshotAboveTheLearnersRankSeedsAllButTheMetric() {
        int p = 80;
        Random rnd = new Random(8);
        StreamingLearner trained = new StreamingLearner(withRank(p), p);
        for (int i = 0; i < 400; i++) {
            int y = rnd.nextInt(3);
            trained.testThenTrain(ThreeClasses.point(rnd, y, p), "c" + y, i);
        }
        trained.flush();
        MetricSnapshot identity = publish(trained, MahalanobisMetric.euclidean(p), Hyperparameters.EUCLIDEAN_METRIC);
        assertEquals(p, identity.q());

        StreamingLearner seeded = StreamingLearner.seededFrom(identity, LearnerSettings.DEFAULT);
        assertEquals(32, seeded.rank(), "learner.rank 0 gives rank 32 beyond 64 features");
        assertArrayEquals(MahalanobisMetric.initial(32, p), seeded.metric().l(), "a fresh learner's L at that rank");
        assertEquals(400, seeded.events());
        assertEquals(trained.updates(), seeded.updates());
        assertEquals(identity.classes(), seeded.labels());
        assertEquals(identity.exemplars().size(), seeded.window().size());
        assertArrayEquals(identity.preprocessing().mean(), seeded.standardizer().mean(), 1e-12);
        assertEquals(MahalanobisMetric.euclidean(p), seeded.publishedMetric(),
                "the identity was served; it stays served until the learner's own guard prefers its L");

        for (int i = 0; i < 200; i++) {
            int y = rnd.nextInt(3);
            seeded.testThenTrain(ThreeClasses.point(rnd, y, p), "c" + y, 400 + i);
        }
        assertEquals(600, seeded.events());
        assertTrue(seeded.updates() > trained.updates(), "it learns on");
    }

    @Test
    void anIdentitySnapshotAtFullRankSeedsTheIdentity() {
        LearnersTest.Split s = LearnersTest.data(7, 300);
        StreamingLearner trained = new StreamingLearner(LearnerSettings.DEFAULT, P);
        for (int i = 0; i < 200; i++) {
            trained.testThenTrain(s.train()[i], "c" + s.trainY()[i], i);
        }
        MetricSnapshot identity = publish(trained, MahalanobisMetric.euclidean(P), Hyperparameters.EUCLIDEAN_METRIC);
        StreamingLearner seeded = StreamingLearner.seededFrom(identity, LearnerSettings.DEFAULT);
        assertEquals(MahalanobisMetric.euclidean(P), seeded.metric(), "what was served, and what the guard judged better");
        assertEquals(MahalanobisMetric.euclidean(P), seeded.publishedMetric());
        assertEquals(200, seeded.events());
    }

    private static LearnerSettings withRank(int rank) {
        LearnerSettings d = LearnerSettings.DEFAULT;
        return new LearnerSettings(d.k(), d.impostors(), d.mu(), d.lambda(), d.tau(), rank,
                d.windowPerClass(), d.windowMillis(), d.batchSize(), d.stepRule(), d.learningRate(), d.certifyEvery(),
                d.averageSteps(), d.driftDetector(), d.driftThreshold(), d.guardRadius(), d.kRace(), d.memoryPerClass(), d.memoryBudget(), d.rows());
    }
}
