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
            double[] found = attack(certified.classifier(), x, answer.label(), r, rnd);
            assertTrue(found == null, () -> "prediction changed at distance <= " + r);
            if (attack(certified.classifier(), x, answer.label(), r * 4, rnd) != null) {
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

    /** Random points on the sphere and projected gradient ascent on the class margin; null if no flip. */
    private static double[] attack(KnnClassifier knn, double[] x, int label, double radius, Random rnd) {
        for (int start = 0; start < 40; start++) {
            double[] y = x.clone();
            double[] dir = unit(rnd);
            for (int c = 0; c < P; c++) {
                y[c] += dir[c] * radius * rnd.nextDouble();
            }
            for (int step = 0; step < 60; step++) {
                if (knn.predict(y).label() != label) {
                    return y;
                }
                // Ascend d2(y, nearest same) - d2(y, nearest other): pull an impostor closer.
                double[] same = nearest(knn, y, label, true);
                double[] other = nearest(knn, y, label, false);
                double[] g = new double[P];
                double[] m = knn.metric().m();
                for (int a = 0; a < P; a++) {
                    for (int b = 0; b < P; b++) {
                        g[a] += 2 * m[a * P + b] * (other[b] - same[b]);
                    }
                }
                double norm = Math.sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2]) + 1e-12;
                for (int c = 0; c < P; c++) {
                    y[c] += radius * 0.1 * g[c] / norm;
                }
                project(y, x, radius);
            }
        }
        return null;
    }

    private static double[] nearest(KnnClassifier knn, double[] y, int label, boolean same) {
        double best = Double.POSITIVE_INFINITY;
        double[] arg = null;
        for (int i = 0; i < knn.references().length; i++) {
            if ((knn.classOf(i) == label) != same) {
                continue;
            }
            double d = knn.metric().distanceSquared(y, knn.references()[i]);
            if (d < best) {
                best = d;
                arg = knn.references()[i];
            }
        }
        return arg;
    }

    private static void project(double[] y, double[] centre, double radius) {
        double norm = 0;
        for (int c = 0; c < P; c++) {
            norm += (y[c] - centre[c]) * (y[c] - centre[c]);
        }
        norm = Math.sqrt(norm);
        if (norm > radius) {
            for (int c = 0; c < P; c++) {
                y[c] = centre[c] + (y[c] - centre[c]) * radius / norm;
            }
        }
    }

    private static double[] unit(Random rnd) {
        double[] d = {rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextGaussian()};
        double n = Math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        return new double[] {d[0] / n, d[1] / n, d[2] / n};
    }
}
