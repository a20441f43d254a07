package dev.certmetric.certify;

import dev.certmetric.knn.KnnClassifier;
import dev.certmetric.metric.MahalanobisMetric;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Soundness: an adversarial search never changes a k-NN prediction inside its certified radius. */
class CertifiedKnnTest {
    private static final int P = 3;

    @ParameterizedTest(name = "k = {0}")
    @ValueSource(ints = {1, 3, 5})
    void noAdversarialExampleInsideTheRadius(int k) {
        Random rnd = new Random(17 + k);
        int n = 30;
        double[][] refs = new double[n][P];
        int[] classes = new int[n];
        for (int i = 0; i < n; i++) {
            classes[i] = i % 3;
            for (int c = 0; c < P; c++) {
                refs[i][c] = rnd.nextGaussian() * 0.5 + (c == classes[i] ? 1 : 0);
            }
        }
        double[] l = new double[2 * P];
        for (int i = 0; i < l.length; i++) {
            l[i] = rnd.nextGaussian();
        }
        MahalanobisMetric metric = MahalanobisMetric.of(2, P, l);
        CertifiedKnn certified = new CertifiedKnn(new KnnClassifier(metric, refs, classes, k));
        int positive = 0;
        int brokenOutside = 0;
        for (int trial = 0; trial < 60; trial++) {
            double[] x = new double[P];
            for (int c = 0; c < P; c++) {
                x[c] = rnd.nextGaussian() * 0.8 + 0.3;
            }
            CertifiedKnn.Certified answer = certified.classify(x);
            double r = answer.radius() * (1 - 1e-9);
            if (r <= 0) {
                continue;
            }
            positive++;
            double[] found = KnnAttack.attack(certified.classifier(), x, answer.label(), r, rnd);
            assertTrue(found == null, () -> "prediction changed at distance <= " + r);
            if (KnnAttack.attack(certified.classifier(), x, answer.label(), r * 4, rnd) != null) {
                brokenOutside++;
            }
        }
        // The search has teeth: a few times the radius it does change predictions.
        assertTrue(brokenOutside >= positive / 4, "attack too weak: " + brokenOutside + " of " + positive);
        assertTrue(positive >= 20, "most queries should get a positive radius, got " + positive);
    }

    @ParameterizedTest(name = "1-NN radius is tight on two points: k = {0}")
    @ValueSource(ints = {1})
    void oneNearestNeighbourRadiusIsExactForTwoPoints(int k) {
        double[][] refs = {{0, 0, 0}, {2, 0, 0}};
        CertifiedKnn certified = new CertifiedKnn(new KnnClassifier(MahalanobisMetric.euclidean(P), refs, new int[] {0, 1}, k));
        assertEquals(0.75, certified.classify(new double[] {0.25, 0, 0}).radius(), 1e-9);
    }
}
