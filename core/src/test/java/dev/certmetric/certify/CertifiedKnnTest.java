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
        CertifiedKnn certified = KnnAttack.threeClasses(30, k, rnd);
        int positive = KnnAttack.check(certified, 60, rnd, (x, answer) -> certified.classifier());
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
