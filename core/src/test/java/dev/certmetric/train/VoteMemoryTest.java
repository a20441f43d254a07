package dev.certmetric.train;

import dev.certmetric.certify.CertifiedKnn;
import dev.certmetric.knn.KnnClassifier;
import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.triplets.TripletWindow;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The learner's vote reads its memory tier by tier: what it predicts and certifies, and how the tiers race. */
class VoteMemoryTest {
    private static final int P = 5;

    /** Three noisy clusters whose two informative features hide among noise. */
    private static double[] event(Random rnd, int label) {
        double[] x = new double[P];
        double angle = 2 * Math.PI * label / 3;
        x[0] = 3 + Math.cos(angle) + 0.5 * rnd.nextGaussian();
        x[1] = -1 + Math.sin(angle) + 0.5 * rnd.nextGaussian();
        for (int f = 2; f < P; f++) {
            x[f] = rnd.nextGaussian();
        }
        return x;
    }

    /**
     * Each prediction and certified radius is that of {@link CertifiedKnn} with the memory's metric on the leader
     * tier's entries: the newest {@code voteDepth} of each class, projected under the memory's L and statistics.
     */
    @Test
    void theVoteAndItsRadiusAreTheCertifiedKnnOfTheLeadersTier() throws IOException {
        // A shallow memory (tiers of 10, 30 and 100 a class) on noisy data, so that a deeper tier leads at times.
        LearnerSettings settings = LearnerSettings.DEFAULT.withCertifyEvery(1).withMemory(100, 5000);
        StreamingLearner learner = new StreamingLearner(settings, P);
        Random rnd = new Random(3);
        int checked = 0;
        int deeper = 0;
        for (int e = 0; e < 1_500; e++) {
            int label = rnd.nextInt(3);
            double[] x = event(rnd, label);
            long next = learner.events() + 1;
            boolean projects = next - learner.memoryProjectedAt() >= Math.max(StreamingLearner.REPROJECT_MIN,
                    Math.min(StreamingLearner.REPROJECT_MAX, next / 8));
            if (e % 50 != 49 || projects) {
                learner.testThenTrain(x, "c" + label, e);
                continue;
            }
            // The expected answer from a copy of the state before the event.
            StreamingLearner before = LearnerStateCodec.fromBytes(LearnerStateCodec.toBytes(learner));
            TripletWindow memory = before.memory();
            int[] refs = memory.indices(before.voteDepth());
            double[][] xs = new double[refs.length][];
            int[] classes = new int[refs.length];
            for (int i = 0; i < refs.length; i++) {
                xs[i] = memory.x(refs[i], new double[P]);
                classes[i] = memory.label(refs[i]);
            }
            MahalanobisMetric metric = MahalanobisMetric.of(before.rank(), P, before.memoryL());
            CertifiedKnn knn = new CertifiedKnn(new KnnClassifier(metric, xs, classes, before.voteK()));
            CertifiedKnn.Certified expected = knn.classify(before.memoryStatistics().current(before.settings().rowScaling()).apply(x));

            StreamingLearner.Outcome outcome = learner.testThenTrain(x, "c" + label, e);
            assertEquals(before.labels().get(expected.label()), outcome.predicted(), "event " + e);
            assertEquals(expected.radius(), outcome.certifiedRadius(), 1e-9 * (1 + expected.radius()), "event " + e);
            checked++;
            deeper += refs.length > 3 * 10 ? 1 : 0;
        }
        assertTrue(checked >= 10, "checked " + checked);
        assertTrue(deeper > 0, "no check read more than the shallowest tier");
    }

    /** While the guard prefers the identity (and L is square), the memory is projected under it, as it is served. */
    @Test
    void theMemoryIsProjectedUnderTheIdentityWhileTheGuardServesIt() {
        StreamingLearner learner = new StreamingLearner(LearnerSettings.DEFAULT, P);
        Random rnd = new Random(5);
        for (int e = 0; e < 200; e++) {
            int label = rnd.nextInt(3);
            learner.testThenTrain(event(rnd, label), "c" + label, e);
        }
        assertFalse(java.util.Arrays.equals(MahalanobisMetric.identity(P, P), learner.memoryL()));
        learner.restoreGuard(new double[] {0, 1e6});
        while (learner.memoryProjectedAt() <= 200) {
            int label = rnd.nextInt(3);
            learner.testThenTrain(event(rnd, label), "c" + label, learner.events());
        }
        assertArrayEquals(MahalanobisMetric.identity(P, P), learner.memoryL());
    }

    /**
     * On an imbalanced stream the memory stays within its budget after every event, and the rare class's few
     * events leave their share to the large classes, which get deeper than an even split.
     */
    @Test
    void theBudgetHoldsAndRareClassesLeaveTheirShareToTheLargeOnes() {
        int budget = 600;
        StreamingLearner learner = new StreamingLearner(LearnerSettings.DEFAULT.withMemory(3000, budget), P);
        Random rnd = new Random(8);
        int rare = 0;
        for (int e = 0; e < 6_000; e++) {
            double u = rnd.nextDouble();
            int label = u < 0.6 ? 0 : u < 0.99 ? 1 : 2;
            rare += label == 2 ? 1 : 0;
            learner.testThenTrain(event(rnd, label), "c" + label, e);
            assertTrue(learner.memory().size() <= budget, "event " + e + ": " + learner.memory().size());
        }
        TripletWindow memory = learner.memory();
        int rareCode = learner.labels().indexOf("c2");
        assertEquals(rare, memory.count(rareCode), "the rare class keeps all its events");
        assertTrue(memory.perClass() > (budget - rare) / 2 * 15 / 16, "depth " + memory.perClass());
        assertTrue(memory.size() > budget * 15 / 16 - 1, "the budget is used: " + memory.size());
    }

    /** A deeper tier that votes right where the shallow one votes wrong takes the lead past the margin. */
    @Test
    void aDeeperTierTakesTheLeadWhenItVotesBetter() {
        VoteRace race = new VoteRace(3, false, 3);
        int[] wrong = {1, 1, 1};
        int[] right = {0, 0, 0};
        double[] d = {1, 2, 3};
        int[][] labels = {wrong, wrong, right};
        double[][] distances = {d, d, d};
        int[] n = {3, 3, 3};
        boolean[][] repeats = new boolean[3][3];
        assertEquals(0, race.tier());
        for (int e = 0; e < 10; e++) {
            assertEquals(1, race.predict(labels, distances, repeats, n, 2, 0), "the shallow tier still leads, event " + e);
        }
        race.predict(labels, distances, repeats, n, 2, 0);
        assertEquals(2, race.tier());
        assertEquals(3, race.k());
        assertEquals(0, race.predict(labels, distances, repeats, n, 2, 0));
    }
}
