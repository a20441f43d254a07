package dev.certmetric.certify;

import dev.certmetric.knn.KnnClassifier;
import dev.certmetric.metric.MahalanobisMetric;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Soundness at 100,000 references: the pruned radius (norm and spread bounds skip most of them) is never crossed
 * by an adversarial search. The search itself runs on the references that can be among the k nearest of a point
 * in the attacked ball: those within d_k + 2 sigma R of the query under the metric (sigma >= ||L||_2), which
 * give every point of the ball the same k nearest, in the same order, as all 100,000 do.
 */
class CertifiedKnnAtScaleTest {
    @Test
    void noAdversarialExampleInsideTheRadiusAmong100000References() {
        Random rnd = new Random(29);
        CertifiedKnn certified = KnnAttack.threeClasses(100_000, 5, rnd);
        KnnClassifier all = certified.classifier();
        MahalanobisMetric metric = all.metric();
        double sigma = CertifiedKnn.spectralNormBound(metric.l(), metric.rank(), metric.dimension());
        int positive = KnnAttack.check(certified, 20, rnd, (x, answer) -> {
            KnnClassifier near = within(all, x, answer.prediction().squaredDistances(), sigma * 4 * answer.radius());
            assertEquals(answer.label(), near.predict(x).label(), "the reachable references predict as all do");
            return near;
        });
        assertTrue(positive >= 10, "most queries should get a positive radius, got " + positive);
    }

    /**
     * The references, in their order, within d_k(x) + 2 shift of x under the metric, where shift bounds how far
     * the attack can move a point under it: for every y with ||L (y - x)|| <= shift they hold y's k nearest.
     */
    private static KnnClassifier within(KnnClassifier all, double[] x, double[] kNearestD2, double shift) {
        MahalanobisMetric metric = all.metric();
        double[][] refs = all.references();
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
                keptClasses[n++] = all.classOf(i);
            }
        }
        return new KnnClassifier(metric, kept, keptClasses, all.k());
    }
}
