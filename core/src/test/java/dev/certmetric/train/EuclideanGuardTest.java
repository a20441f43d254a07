package dev.certmetric.train;

import dev.certmetric.metric.MahalanobisMetric;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EuclideanGuardTest {
    @Test
    void scoresTheCertifiedAccuracyCurveUpToTheRadius() {
        EuclideanGuard guard = new EuclideanGuard(0.1);
        guard.add(true, 0.05, true, 0.5);
        guard.add(false, 0.9, true, 0.0);
        // learned: 0.5 + 0 ; euclidean: 1 (capped at R) + 0, each sum decayed once before the second sample.
        assertArrayEquals(new double[] {0.5 * EuclideanGuard.DECAY, EuclideanGuard.DECAY}, guard.scores(), 1e-12);
        assertTrue(guard.prefersEuclidean());
        EuclideanGuard tie = new EuclideanGuard(0.1, 2, 2);
        assertFalse(tie.prefersEuclidean(), "a tie keeps the memory under the learned metric");
    }

    /** Snapshots carry the learned metric only past a lead of PUBLISH_MARGIN; the memory follows any lead. */
    @Test
    void publishesTheLearnedMetricOnlyOnAClearLead() {
        double e = 900;
        double edge = e * (1 + EuclideanGuard.PUBLISH_MARGIN);
        EuclideanGuard tie = new EuclideanGuard(0.1, e, e);
        assertTrue(tie.publishesEuclidean(), "a tie publishes the identity");
        EuclideanGuard near = new EuclideanGuard(0.1, edge, e);
        assertTrue(near.publishesEuclidean(), "a lead of the margin itself is still a tie");
        assertFalse(near.prefersEuclidean(), "the memory follows the learned metric's lead");
        assertFalse(new EuclideanGuard(0.1, Math.nextUp(edge), e).publishesEuclidean());
        assertFalse(new EuclideanGuard(0.1).publishesEuclidean(), "before any sample, the learned metric");
        assertTrue(EuclideanGuard.favouringEuclidean(0.1).publishesEuclidean());
    }

    @Test
    void samplesEveryEventFirstThenOneInMany() {
        assertTrue(EuclideanGuard.samples(1));
        assertTrue(EuclideanGuard.samples(EuclideanGuard.DENSE_EVENTS));
        assertFalse(EuclideanGuard.samples(EuclideanGuard.DENSE_EVENTS + 1));
        assertTrue(EuclideanGuard.samples(EuclideanGuard.SPARSE_EVERY * 1000L));
        assertThrows(IllegalArgumentException.class, () -> new EuclideanGuard(0));
    }

    /** Every feature informative and isotropic: a thrashing step size only adds anisotropy, and the guard sees it. */
    @Test
    void publishesEuclideanWhereTheLearnedMetricCertifiesLess() {
        int p = 8;
        StreamingLearner learner = new StreamingLearner(LearnerSettings.DEFAULT.withLearningRate(3), p);
        Random rnd = new Random(5);
        for (int i = 0; i < 3000; i++) {
            int y = rnd.nextInt(2);
            double[] x = new double[p];
            for (int f = 0; f < p; f++) {
                x[f] = (y == 0 ? 1 : -1) + 0.8 * rnd.nextGaussian();
            }
            learner.testThenTrain(x, "c" + y, i);
        }
        assertNotEquals(MahalanobisMetric.euclidean(p), learner.metric());
        double[] scores = learner.guardScores();
        assertTrue(scores[1] > scores[0], "euclidean " + scores[1] + " vs learned " + scores[0]);
        assertEquals(MahalanobisMetric.euclidean(p), learner.publishedMetric());
        assertTrue(StreamingLearner.publishesEuclidean(List.of(learner, learner)));
    }

    @Test
    void noGuardWhenOff() {
        LearnerSettings d = LearnerSettings.DEFAULT;
        LearnerSettings off = new LearnerSettings(d.k(), d.impostors(), d.mu(), d.lambda(), d.tau(), d.rank(),
                d.windowPerClass(), d.windowMillis(), d.batchSize(), d.stepRule(), d.learningRate(), d.certifyEvery(),
                d.averageSteps(), d.driftDetector(), d.driftThreshold(), 0, d.kRace(), d.memoryPerClass(), d.memoryBudget(), d.rows());
        StreamingLearner learner = new StreamingLearner(off, 4);
        assertNull(learner.guardScores());
        assertEquals(learner.metric(), learner.publishedMetric());
    }

    /**
     * Below full rank the identity is still the comparison: 20 informative features seen through 2 directions
     * certify far less than all 20 axes, and the published metric is the full-rank identity.
     */
    @Test
    void guardsALowRankMetricWithTheFullIdentity() {
        int p = 20;
        LearnerSettings d = LearnerSettings.DEFAULT;
        LearnerSettings rank2 = new LearnerSettings(d.k(), d.impostors(), d.mu(), d.lambda(), d.tau(), 2,
                d.windowPerClass(), d.windowMillis(), d.batchSize(), d.stepRule(), d.learningRate(), d.certifyEvery(),
                d.averageSteps(), d.driftDetector(), d.driftThreshold(), d.guardRadius(), d.kRace(), d.memoryPerClass(), d.memoryBudget(), d.rows());
        StreamingLearner low = new StreamingLearner(rank2, p);
        Random rnd = new Random(9);
        for (int i = 0; i < 2000; i++) {
            int y = rnd.nextInt(4);
            double[] x = new double[p];
            for (int f = 0; f < p; f++) {
                x[f] = (f % 4 == y ? 1.5 : 0) + 0.5 * rnd.nextGaussian();
            }
            low.testThenTrain(x, "c" + y, i);
        }
        assertEquals(2, low.rank());
        double[] scores = low.guardScores();
        assertTrue(scores[1] > scores[0], "euclidean " + scores[1] + " vs learned " + scores[0]);
        assertEquals(MahalanobisMetric.euclidean(p), low.publishedMetric());
    }

    @Test
    void automaticRankIsFullUpTo64FeaturesAnd32Beyond() {
        assertEquals(64, LearnerSettings.DEFAULT.rankFor(64));
        assertEquals(LearnerSettings.AUTO_LOW_RANK, LearnerSettings.DEFAULT.rankFor(65));
        assertEquals(LearnerSettings.AUTO_LOW_RANK, LearnerSettings.DEFAULT.rankFor(784));
        assertEquals(3, LearnerSettings.DEFAULT.rankFor(3));
    }
}
