package dev.certmetric.certify;

import dev.certmetric.knn.KnnClassifier;
import dev.certmetric.metric.MahalanobisMetric;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Soundness at 100,000 references: the pruned radius (norm and spread bounds skip most of them) is never crossed
 * by an adversarial search. The search itself runs on the references that can be among the k nearest of a point
 * in the attacked ball: those within d_k + 2 sigma R of the query under the metric (sigma >= ||L||_2), which
 * give every point of the ball the same k nearest, in the same order, as all 100,000 do.
 */
class CertifiedKnnAtScaleTest {
    private static final int N = 100_000;
    private static final int P = 3;

    @Test
    void noAdversarialExampleInsideTheRadiusAmong100000References() {
        Random rnd = new Random(29);
        double[][] refs = new double[N][P];
        int[] classes = new int[N];
        for (int i = 0; i < N; i++) {
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
        double sigma = CertifiedKnn.spectralNormBound(l, 2, P);
        int k = 5;
        CertifiedKnn certified = new CertifiedKnn(new KnnClassifier(metric, refs, classes, k));
        int positive = 0;
        int brokenOutside = 0;
        for (int trial = 0; trial < 20; trial++) {
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
            KnnClassifier near = within(metric, refs, classes, k, x, answer.prediction().squaredDistances(), sigma * 4 * r);
            assertEquals(answer.label(), near.predict(x).label(), "the reachable references predict as all do");
            assertNull(KnnAttack.attack(near, x, answer.label(), r, rnd),
                    "prediction changed within the certified radius " + r + " (trial " + trial + ")");
            if (KnnAttack.attack(near, x, answer.label(), 4 * r, rnd) != null) {
                brokenOutside++;
            }
        }
        assertTrue(positive >= 10, "most queries should get a positive radius, got " + positive);
        assertTrue(brokenOutside >= positive / 4, "attack too weak: " + brokenOutside + " of " + positive);
    }

    /**
     * The references, in their order, within d_k(x) + 2 shift of x under the metric, where shift bounds how far
     * the attack can move a point under it: for every y with ||L (y - x)|| <= shift they hold y's k nearest.
     */
    private static KnnClassifier within(MahalanobisMetric metric, double[][] refs, int[] classes, int k, double[] x,
                                        double[] kNearestD2, double shift) {
        double reach = Math.sqrt(kNearestD2[kNearestD2.length - 1]) + 2 * shift;
        double reach2 = reach * reach * (1 + 1e-9);
        int n = 0;
        for (double[] ref : refs) {
            if (metric.distanceSquared(x, ref) <= reach2) {
                n++;
            }
        }
        double[][] kept = new double[n][];
        int[] keptClasses = new int[n];
        n = 0;
        for (int i = 0; i < refs.length; i++) {
            if (metric.distanceSquared(x, refs[i]) <= reach2) {
                kept[n] = refs[i];
                keptClasses[n++] = classes[i];
            }
        }
        return new KnnClassifier(metric, kept, keptClasses, k);
    }
}
