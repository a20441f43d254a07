package dev.certmetric.train;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.knn.KnnClassifier;
import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.metric.PsdMatrices;
import dev.certmetric.objective.LmnnPlObjective;
import dev.certmetric.preprocess.Standardizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both optimisers on data where two informative features hide among noisy ones: a learned metric
 * must beat Euclidean k-NN there.
 */
class LearnersTest {
    private static final int P = 16;

    record Split(double[][] train, int[] trainY, double[][] test, int[] testY) {
    }

    static Split data(long seed, int n) {
        Random rnd = new Random(seed);
        double[][] x = new double[n][P];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = rnd.nextInt(3);
            double angle = 2 * Math.PI * y[i] / 3;
            x[i][0] = Math.cos(angle) + 0.45 * rnd.nextGaussian();
            x[i][1] = Math.sin(angle) + 0.45 * rnd.nextGaussian();
            for (int c = 2; c < P; c++) {
                x[i][c] = 1.5 * rnd.nextGaussian();
            }
        }
        int cut = n * 7 / 10;
        return new Split(java.util.Arrays.copyOf(x, cut), java.util.Arrays.copyOf(y, cut),
                java.util.Arrays.copyOfRange(x, cut, n), java.util.Arrays.copyOfRange(y, cut, n));
    }

    @Test
    void referenceOptimiserKeepsMPsdLowersTheObjectiveAndBeatsEuclidean() {
        Split s = data(1, 300);
        Standardizer st = Standardizer.fit(s.train());
        double[][] train = st.applyAll(s.train());
        double[][] test = st.applyAll(s.test());
        BatchOptimizer.Fit fit = new ReferenceOptimizer(new LmnnPlObjective(0.34, 20, 0.27),
                ReferenceOptimizer.Settings.DEFAULT).fit(train, s.trainY());
        double[] m = fit.metric().m().clone();
        double[] projected = m.clone();
        PsdMatrices.projectInPlace(projected, P);
        assertArrayEquals(m, projected, 1e-9, "M is on the PSD cone");
        assertTrue(fit.last().total() < fit.trace().get(0).total() * 0.8, "objective fell");
        double euclidean = new KnnClassifier(MahalanobisMetric.euclidean(P), train, s.trainY(), 3).accuracy(test, s.testY());
        double learned = new KnnClassifier(fit.metric(), train, s.trainY(), 3).accuracy(test, s.testY());
        assertTrue(learned > euclidean + 0.05, "learned " + learned + " vs euclidean " + euclidean);
        // L form of the result gives the same distances as M.
        assertEquals(fit.metric().m()[0], m[0], 1e-8);
    }

    /**
     * L-BFGS on L lowers the objective at least as far as the reference (it minimises the same function
     * over the same triplets; the reference's end point is the bar) and beats Euclidean.
     */
    @Test
    void lbfgsOptimiserReachesTheReferenceObjectiveAndBeatsEuclidean() {
        Split s = data(1, 300);
        Standardizer st = Standardizer.fit(s.train());
        double[][] train = st.applyAll(s.train());
        double[][] test = st.applyAll(s.test());
        LmnnPlObjective objective = new LmnnPlObjective(0.34, 20, 0.27);
        BatchOptimizer.Fit fit = new LbfgsOptimizer(objective, LbfgsOptimizer.Settings.DEFAULT).fit(train, s.trainY());
        BatchOptimizer.Fit reference = new ReferenceOptimizer(objective, ReferenceOptimizer.Settings.DEFAULT)
                .fit(train, s.trainY());
        for (int t = 1; t < fit.trace().size(); t++) {
            assertTrue(fit.trace().get(t).total() < fit.trace().get(t - 1).total(), "every step descends");
        }
        assertTrue(fit.last().total() <= reference.last().total() * 1.002,
                "lbfgs " + fit.last().total() + " vs reference " + reference.last().total());
        assertTrue(fit.iterations() < reference.iterations() / 3, fit.iterations() + " vs " + reference.iterations());
        double euclidean = new KnnClassifier(MahalanobisMetric.euclidean(P), train, s.trainY(), 3).accuracy(test, s.testY());
        double learned = new KnnClassifier(fit.metric(), train, s.trainY(), 3).accuracy(test, s.testY());
        assertTrue(learned > euclidean + 0.05, "learned " + learned + " vs euclidean " + euclidean);
    }

    @Test
    void streamingLearnerBeatsEuclideanAndItsPrequentialAccuracyRises() {
        Split s = data(2, 1500);
        StreamingLearner learner = new StreamingLearner(LearnerSettings.DEFAULT, P);
        long early = 0;
        for (int i = 0; i < s.train().length; i++) {
            learner.testThenTrain(s.train()[i], Integer.toString(s.trainY()[i]), i);
            if (i == 200) {
                early = learner.counters().correct();
            }
        }
        learner.flush();
        double earlyAccuracy = early / 200.0;
        assertTrue(learner.prequentialAccuracy() > earlyAccuracy, "prequential accuracy should rise");
        Standardizer st = learner.standardizer();
        double[][] train = st.applyAll(s.train());
        double[][] test = st.applyAll(s.test());
        int[] trainY = s.trainY();
        double euclidean = new KnnClassifier(MahalanobisMetric.euclidean(P), train, trainY, 3).accuracy(test, s.testY());
        double learned = new KnnClassifier(learner.metric(), train, trainY, 3).accuracy(test, s.testY());
        assertTrue(learned > euclidean + 0.05, "learned " + learned + " vs euclidean " + euclidean);
        assertEquals(learner.metric(), learner.publishedMetric(), "the guard keeps a metric that helps");
        assertEquals(s.train().length, learner.events());
    }

    @Test
    void checkpointRoundTripContinuesIdentically() throws Exception {
        Split s = data(3, 600);
        StreamingLearner a = new StreamingLearner(LearnerSettings.DEFAULT.withObjective(0.5, 10, 0.2), P);
        for (int i = 0; i < 300; i++) {
            a.testThenTrain(s.train()[i], "c" + s.trainY()[i], i);
        }
        StreamingLearner b = LearnerStateCodec.fromBytes(LearnerStateCodec.toBytes(a));
        assertEquals(a.counters(), b.counters());
        assertEquals(a.labels(), b.labels());
        assertEquals(a.metric(), b.metric());
        assertEquals(a.standardizer(), b.standardizer());
        assertArrayEquals(a.guardScores(), b.guardScores());
        assertArrayEquals(a.voteState(), b.voteState());
        for (int i = 300; i < s.train().length; i++) {
            StreamingLearner.Outcome oa = a.testThenTrain(s.train()[i], "c" + s.trainY()[i], i);
            StreamingLearner.Outcome ob = b.testThenTrain(s.train()[i], "c" + s.trainY()[i], i);
            assertEquals(oa.predicted(), ob.predicted());
        }
        assertEquals(a.metric(), b.metric(), "restored learner follows the same trajectory");
        assertArrayEquals(a.guardScores(), b.guardScores());
        assertArrayEquals(a.voteState(), b.voteState());
    }

    /**
     * A checkpoint is no event for the learning: a learner written and read back every 13 events (mostly inside a
     * batch of 8) ends in the very state, byte for byte, of one that never stopped. At full rank the gradient
     * accumulates in the Gram form (with a block of rank-one terms pending), at rank 4 in the factor form.
     */
    @ParameterizedTest(name = "rank {0}")
    @ValueSource(strings = {"0", "4"})
    void checkpointsInsideABatchDoNotChangeWhatIsLearned(String rank) throws Exception {
        Split s = data(5, 700);
        LearnerSettings settings = CertmetricConfig.load(null, Map.of("learner.rank", rank)).learnerSettings();
        StreamingLearner plain = new StreamingLearner(settings, P);
        StreamingLearner cut = new StreamingLearner(settings, P);
        int partial = 0;
        for (int i = 0; i < s.train().length; i++) {
            plain.testThenTrain(s.train()[i], "c" + s.trainY()[i], i);
            cut.testThenTrain(s.train()[i], "c" + s.trainY()[i], i);
            if (i % 13 == 12) {
                partial += cut.anchorsInBatch() > 0 ? 1 : 0;
                cut = LearnerStateCodec.fromBytes(LearnerStateCodec.toBytes(cut));
            }
        }
        assertTrue(partial > 20, "checkpoints fell inside batches " + partial + " times");
        assertTrue(plain.anchorsInBatch() > 0, "a batch is still pending at the end");
        assertArrayEquals(LearnerStateCodec.toBytes(plain), LearnerStateCodec.toBytes(cut));
        plain.flush();
        cut.flush();
        assertEquals(plain.metric(), cut.metric());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lbfgs", "reference"})
    void smallClassesUseTheNeighboursTheyHave(String optimizer) {
        double[][] x = {{0, 1}, {0, 1.1}, {1, 0}, {1.1, 0}, {1, 1}};
        int[] y = {0, 0, 1, 1, 2};
        BatchOptimizer.Fit fit = BatchOptimizers.byName(optimizer).create(new LmnnPlObjective(0.5, 1, 0.1), 3, 10)
                .fit(x, y);
        assertTrue(Double.isFinite(fit.last().total()));
    }
}
