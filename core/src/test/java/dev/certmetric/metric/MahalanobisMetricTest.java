package dev.certmetric.metric;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MahalanobisMetricTest {
    private final Random rnd = new Random(5);

    @Test
    void closedFormMarginEqualsTheNumericalMinimumOverTheHyperplane() {
        for (int trial = 0; trial < 20; trial++) {
            int p = 4;
            int q = 1 + trial % 4;
            MahalanobisMetric metric = MahalanobisMetric.of(q, p, gaussian(q * p));
            double[] xi = gaussian(p);
            double[] xj = gaussian(p);
            double[] xl = gaussian(p);
            double gamma = metric.margin(xi, xj, xl);
            double[] adv = metric.closestAdversarial(xi, xj, xl);
            // The closest adversarial example is on the hyperplane d(x, j) = d(x, l) at distance |gamma|.
            assertEquals(0, metric.distanceSquared(adv, xl) - metric.distanceSquared(adv, xj), 1e-8);
            assertEquals(Math.abs(gamma), Math.sqrt(LinearAlgebra.squaredDistance(adv, xi)), 1e-8);
            // No point of the hyperplane is closer: project random points onto it and compare.
            double best = Double.POSITIVE_INFINITY;
            for (int s = 0; s < 20000; s++) {
                double[] y = xi.clone();
                double[] dir = gaussian(p);
                for (int c = 0; c < p; c++) {
                    y[c] += dir[c] * Math.abs(gamma) * 3;
                }
                double[] onPlane = metric.closestAdversarial(y, xj, xl);
                best = Math.min(best, Math.sqrt(LinearAlgebra.squaredDistance(onPlane, xi)));
            }
            assertTrue(best >= Math.abs(gamma) - 1e-9, "a hyperplane point closer than gamma: " + best + " < " + gamma);
            assertTrue(best <= Math.abs(gamma) * 1.2 + 1e-6, "search should get near the minimum");
        }
    }

    @Test
    void marginIsInvariantToScalingTheMetric() {
        double[] l = gaussian(12);
        double[] scaled = l.clone();
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] *= 7;
        }
        double[] a = gaussian(4);
        double[] b = gaussian(4);
        double[] c = gaussian(4);
        assertEquals(MahalanobisMetric.of(3, 4, l).margin(a, b, c), MahalanobisMetric.of(3, 4, scaled).margin(a, b, c), 1e-9);
    }

    @Test
    void distancesAgreeWithTheMatrixForm() {
        MahalanobisMetric metric = MahalanobisMetric.of(2, 3, gaussian(6));
        double[] m = metric.m();
        double[] a = gaussian(3);
        double[] b = gaussian(3);
        double expected = 0;
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                expected += (a[r] - b[r]) * m[r * 3 + c] * (a[c] - b[c]);
            }
        }
        assertEquals(expected, metric.distanceSquared(a, b), 1e-12);
        assertEquals(expected, MahalanobisMetric.fromM(m, 3, 3).distanceSquared(a, b), 1e-9);
    }

    @Test
    void initialLIsTheIdentityAtFullRankAndScaledOrthonormalDirectionsBelow() {
        org.junit.jupiter.api.Assertions.assertArrayEquals(MahalanobisMetric.identity(5, 5), MahalanobisMetric.initial(5, 5));
        int q = 8;
        int p = 50;
        double[] l = MahalanobisMetric.initial(q, p);
        org.junit.jupiter.api.Assertions.assertArrayEquals(l, MahalanobisMetric.initial(q, p), "deterministic");
        for (int a = 0; a < q; a++) {
            for (int b = 0; b < q; b++) {
                double dot = 0;
                for (int c = 0; c < p; c++) {
                    dot += l[a * p + c] * l[b * p + c];
                }
                assertEquals(a == b ? (double) p / q : 0, dot, 1e-9, "rows " + a + ", " + b);
            }
        }
        // Unlike the first q axes, the directions see every feature: a vector on the last axis keeps its length
        // on average over the coordinates.
        double total = 0;
        for (int c = 0; c < p; c++) {
            double[] e = new double[p];
            e[c] = 1;
            double[] t = MahalanobisMetric.of(q, p, l).transform(e);
            for (double v : t) {
                total += v * v;
            }
        }
        assertEquals(p, total, 1e-9);
        double[] last = new double[p];
        last[p - 1] = 1;
        double norm = 0;
        for (double v : MahalanobisMetric.of(q, p, l).transform(last)) {
            norm += v * v;
        }
        assertTrue(norm > 0.05, "the last feature is seen, |L e|^2 = " + norm);
    }

    @Test
    void rejectsBadShapes() {
        assertThrows(IllegalArgumentException.class, () -> MahalanobisMetric.of(4, 3, new double[12]));
        assertThrows(IllegalArgumentException.class, () -> MahalanobisMetric.of(2, 3, new double[5]));
        assertThrows(IllegalArgumentException.class, () -> MahalanobisMetric.of(1, 1, new double[] {Double.NaN}));
    }

    private double[] gaussian(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian();
        }
        return v;
    }
}
