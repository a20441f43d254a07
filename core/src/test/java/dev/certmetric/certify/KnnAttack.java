package dev.certmetric.certify;

import dev.certmetric.knn.KnnClassifier;
import dev.certmetric.metric.LinearAlgebra;
import dev.certmetric.metric.MahalanobisMetric;

import java.util.Random;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An adversarial search for a k-NN prediction change inside a ball: random starts in the ball, then projected
 * gradient ascent on d2(y, nearest same-class reference) - d2(y, nearest other-class one), which pulls an
 * impostor closer.
 */
final class KnnAttack {
    private KnnAttack() {
    }

    /**
     * A certified k-NN over n references of three overlapping Gaussian classes in three dimensions, under a random
     * rank-2 metric.
     */
    static CertifiedKnn threeClasses(int n, int k, Random rnd) {
        int p = 3;
        double[][] refs = new double[n][p];
        int[] classes = new int[n];
        for (int i = 0; i < n; i++) {
            classes[i] = i % 3;
            for (int c = 0; c < p; c++) {
                refs[i][c] = rnd.nextGaussian() * 0.5 + (c == classes[i] ? 1 : 0);
            }
        }
        double[] l = new double[2 * p];
        for (int i = 0; i < l.length; i++) {
            l[i] = rnd.nextGaussian();
        }
        return new CertifiedKnn(new KnnClassifier(MahalanobisMetric.of(2, p, l), refs, classes, k));
    }

    /**
     * Certifies {@code trials} random queries and attacks each with a positive radius r: no flip may be found
     * within r, and flips within 4 r must be found for at least a quarter of them (the search has teeth).
     * {@code attacked} gives the classifier the search runs on for a query and its answer, which must predict as
     * {@code certified} does within 4 r of the query. Returns how many queries had a positive radius.
     */
    static int check(CertifiedKnn certified, int trials, Random rnd,
                     BiFunction<double[], CertifiedKnn.Certified, KnnClassifier> attacked) {
        int positive = 0;
        int brokenOutside = 0;
        for (int trial = 0; trial < trials; trial++) {
            double[] x = new double[3];
            for (int c = 0; c < x.length; c++) {
                x[c] = rnd.nextGaussian() * 0.8 + 0.3;
            }
            CertifiedKnn.Certified answer = certified.classify(x);
            double r = answer.radius() * (1 - 1e-9);
            if (r <= 0) {
                continue;
            }
            positive++;
            KnnClassifier knn = attacked.apply(x, answer);
            assertNull(attack(knn, x, answer.label(), r, rnd),
                    "prediction changed within the certified radius " + r + " (trial " + trial + ")");
            if (attack(knn, x, answer.label(), r * 4, rnd) != null) {
                brokenOutside++;
            }
        }
        assertTrue(brokenOutside >= positive / 4, "attack too weak: " + brokenOutside + " of " + positive);
        return positive;
    }

    /** A point within {@code radius} (Euclidean) of x whose predicted class is not {@code label}, or null. */
    static double[] attack(KnnClassifier knn, double[] x, int label, double radius, Random rnd) {
        int p = x.length;
        double[] m = knn.metric().m();
        for (int start = 0; start < 40; start++) {
            double[] y = x.clone();
            double[] dir = unit(rnd, p);
            for (int c = 0; c < p; c++) {
                y[c] += dir[c] * radius * rnd.nextDouble();
            }
            for (int step = 0; step < 60; step++) {
                if (knn.predict(y).label() != label) {
                    return y;
                }
                double[] same = nearest(knn, y, label, true);
                double[] other = nearest(knn, y, label, false);
                if (same == null || other == null) {
                    return null;
                }
                double[] g = new double[p];
                for (int a = 0; a < p; a++) {
                    for (int b = 0; b < p; b++) {
                        g[a] += 2 * m[a * p + b] * (other[b] - same[b]);
                    }
                }
                double norm = Math.sqrt(LinearAlgebra.dot(g, g)) + 1e-12;
                for (int c = 0; c < p; c++) {
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
        for (int c = 0; c < y.length; c++) {
            norm += (y[c] - centre[c]) * (y[c] - centre[c]);
        }
        norm = Math.sqrt(norm);
        if (norm > radius) {
            for (int c = 0; c < y.length; c++) {
                y[c] = centre[c] + (y[c] - centre[c]) * radius / norm;
            }
        }
    }

    private static double[] unit(Random rnd, int p) {
        double[] d = new double[p];
        for (int c = 0; c < p; c++) {
            d[c] = rnd.nextGaussian();
        }
        double n = Math.sqrt(LinearAlgebra.dot(d, d));
        for (int c = 0; c < p; c++) {
            d[c] /= n;
        }
        return d;
    }
}
