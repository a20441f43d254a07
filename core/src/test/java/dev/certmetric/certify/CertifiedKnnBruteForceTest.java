package dev.certmetric.certify;

import dev.certmetric.knn.KnnClassifier;
import dev.certmetric.metric.MahalanobisMetric;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pruned radius equals the all-pairs rule of docs/SCORER.md on random data, ties and duplicates included. */
class CertifiedKnnBruteForceTest {

    @ParameterizedTest(name = "n={0} p={1} q={2} classes={3} k={4}")
    @CsvSource({"40,3,2,3,1", "40,3,3,2,3", "200,8,4,5,5", "300,16,16,10,3", "500,16,8,10,7", "120,5,5,2,9", "30,4,2,2,15"})
    void prunedRadiusEqualsAllPairs(int n, int p, int q, int numClasses, int k) {
        Random rnd = new Random(n * 31L + p * 7L + k);
        double[][] refs = new double[n][p];
        int[] classes = new int[n];
        for (int i = 0; i < n; i++) {
            classes[i] = i % numClasses;
            for (int c = 0; c < p; c++) {
                refs[i][c] = rnd.nextGaussian() + (c % numClasses == classes[i] ? 1.5 : 0);
            }
        }
        System.arraycopy(refs[0], 0, refs[n - 1], 0, p); // a duplicate point, possibly of another class
        double[] l = new double[q * p];
        for (int i = 0; i < l.length; i++) {
            l[i] = rnd.nextGaussian();
        }
        MahalanobisMetric metric = MahalanobisMetric.of(q, p, l);
        KnnClassifier knn = new KnnClassifier(metric, refs, classes, k);
        CertifiedKnn certified = new CertifiedKnn(knn);
        double[][] lx = Arrays.stream(refs).map(metric::transform).toArray(double[][]::new);
        double[][] mx = Arrays.stream(refs).map(r -> {
            double[] out = new double[p];
            metric.applyM(r, new double[q], out);
            return out;
        }).toArray(double[][]::new);
        int positive = 0;
        for (int trial = 0; trial < 200; trial++) {
            // Some queries far from every reference, where the spreads rather than sigma prune.
            double[] x = trial % 10 == 0 ? refs[rnd.nextInt(n)].clone()
                    : gaussian(rnd, p, trial % 5 == 1 ? 12 : 1.2);
            CertifiedKnn.Certified answer = certified.classify(x);
            KnnClassifier.Prediction expected = knn.predict(x);
            assertEquals(expected.label(), answer.label());
            assertArrayEquals(expected.neighbours(), answer.prediction().neighbours());
            double brute = bruteForce(metric, refs, classes, k, answer.label(), x);
            assertEquals(brute, answer.radius(), 1e-12 * Math.max(1, brute), "trial " + trial);
            assertEquals(brute, CertifiedKnn.radius(metric.transform(x), lx, mx, classes, k, answer.label()),
                    1e-12 * Math.max(1, brute));
            // As a learner calls it: its own distances and pair norms, pruned with the norm bound of its L.
            double[] lq = metric.transform(x);
            double[] d2 = Arrays.stream(lx).mapToDouble(r -> squared(lq, r)).toArray();
            assertEquals(brute, CertifiedKnn.radius(d2, classes, k, answer.label(),
                    (a, b) -> Math.sqrt(squared(mx[a], mx[b])), CertifiedKnn.spectralNormBound(l, q, p)),
                    1e-12 * Math.max(1, brute));
            int other = (answer.label() + 1) % numClasses;
            assertEquals(bruteForce(metric, refs, classes, k, other, x), certified.radius(x, other), 1e-12);
            if (answer.radius() > 0) {
                positive++;
            }
        }
        assertTrue(positive > 20, "too few positive radii to compare: " + positive);
    }

    /**
     * The pair norms come from R of L^T = Q R: ||R L v|| = ||M v|| for any v, also when L has a zero row, repeated
     * rows (rank below q) or rows of very different scales.
     */
    @ParameterizedTest(name = "q = {0}, p = {1}, shape {2}")
    @CsvSource({"1, 1, plain", "3, 5, plain", "12, 20, plain", "8, 8, plain", "64, 784, plain", "6, 9, zero-row",
            "6, 9, repeated-rows", "6, 9, scales"})
    void triangularFactorGivesTheNormsOfMv(int q, int p, String shape) {
        Random rnd = new Random(q * 31L + p);
        double[] l = gaussian(rnd, q * p, 1);
        switch (shape) {
            case "zero-row" -> java.util.Arrays.fill(l, 2 * p, 3 * p, 0);
            case "repeated-rows" -> {
                System.arraycopy(l, 0, l, p, p);
                System.arraycopy(l, 0, l, 4 * p, p);
            }
            case "scales" -> {
                for (int i = 0; i < l.length; i++) {
                    l[i] *= Math.pow(10, (i / p) - 3);
                }
            }
            default -> { }
        }
        MahalanobisMetric metric = MahalanobisMetric.of(q, p, l);
        double[] r = CertifiedKnn.triangularFactor(l, q, p);
        for (int a = 1; a < q; a++) {
            for (int b = 0; b < a; b++) {
                assertEquals(0, r[a * q + b], "R is upper triangular");
            }
        }
        for (int trial = 0; trial < 20; trial++) {
            double[] v = gaussian(rnd, p, 1);
            double[] mv = new double[p];
            metric.applyM(v, new double[q], mv);
            double[] rlv = new double[q];
            dev.certmetric.metric.LinearAlgebra.multiply(r, q, q, metric.transform(v), rlv);
            double expected = Math.sqrt(dot(mv, mv));
            assertEquals(expected, Math.sqrt(dot(rlv, rlv)), 1e-12 * Math.max(1e-300, expected) + 1e-13, shape);
        }
    }

    @Test
    void spectralNormBoundIsAnUpperBoundWithinQToTheOneSixtyFourth() {
        Random rnd = new Random(5);
        int q = 12;
        int p = 20;
        double[] l = gaussian(rnd, q * p, 1);
        MahalanobisMetric metric = MahalanobisMetric.of(q, p, l);
        double bound = CertifiedKnn.spectralNormBound(l, q, p);
        // Power iteration on L^T L gives the norm from below.
        double[] v = gaussian(rnd, p, 1);
        double norm = 0;
        for (int it = 0; it < 500; it++) {
            double[] mv = new double[p];
            metric.applyM(v, new double[q], mv);
            norm = Math.sqrt(Math.sqrt(dot(mv, mv)) / Math.sqrt(dot(v, v)));
            v = mv;
            double scale = Math.sqrt(dot(v, v));
            for (int i = 0; i < p; i++) {
                v[i] /= scale;
            }
        }
        assertTrue(bound >= norm, bound + " < " + norm);
        assertTrue(bound <= norm * Math.pow(q, 1.0 / 64) * 1.001, bound + " vs " + norm);
        // Equal eigenvalues at q = 784 are the smallest largest one (1/q of the trace): G^16 must not vanish.
        double wide = CertifiedKnn.spectralNormBound(MahalanobisMetric.identity(784, 784), 784, 784);
        assertTrue(wide >= 1 && wide <= Math.pow(784, 1.0 / 64) * 1.001, "identity at q = 784: " + wide);
    }

    private static double squared(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return s;
    }

    /** docs/SCORER.md, certified_radius, literally: every (j, l) pair. */
    static double bruteForce(MahalanobisMetric metric, double[][] refs, int[] classes, int k, int c, double[] x) {
        int n = refs.length;
        int s = (Math.min(k, n) + 1) / 2;
        double[] d2 = new double[n];
        int same = 0;
        int others = 0;
        for (int i = 0; i < n; i++) {
            d2[i] = metric.distanceSquared(x, refs[i]);
            if (classes[i] == c) {
                same++;
            } else {
                others++;
            }
        }
        if (same < s) {
            return 0;
        }
        if (others < s) {
            return Double.MAX_VALUE;
        }
        double[] rl = new double[others];
        int o = 0;
        for (int l = 0; l < n; l++) {
            if (classes[l] == c) {
                continue;
            }
            double[] rho = new double[same];
            int t = 0;
            for (int j = 0; j < n; j++) {
                if (classes[j] == c) {
                    rho[t++] = Math.max(0, d2[l] - d2[j]) / (2 * Math.sqrt(metric.mwNormSquared(refs[l], refs[j])) + MahalanobisMetric.EPS);
                }
            }
            Arrays.sort(rho);
            rl[o++] = rho[same - s];
        }
        Arrays.sort(rl);
        return rl[s - 1];
    }

    private static double[] gaussian(Random rnd, int p, double scale) {
        double[] x = new double[p];
        for (int i = 0; i < p; i++) {
            x[i] = rnd.nextGaussian() * scale;
        }
        return x;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
