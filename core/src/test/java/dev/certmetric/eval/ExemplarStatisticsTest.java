package dev.certmetric.eval;

import dev.certmetric.metric.MahalanobisMetric;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ExemplarStatisticsTest {
    private static final double TOLERANCE = 1e-12;

    @Test
    void smallPoolsMeasureEveryPointAgainstAllOthers() {
        check(40);
    }

    @Test
    void largePoolsMeasureEvenlySpacedAnchorsAgainstTheWholePool() {
        ExemplarStatistics s = check(1300);
        assertEquals(ExemplarStatistics.MAX_ANCHORS, s.nearestDistances().length);
    }

    /** Brute force over the anchors the statistics name: nearest target, nearest impostor, nearest neighbour. */
    private static ExemplarStatistics check(int n) {
        Random rnd = new Random(n);
        int p = 3;
        MahalanobisMetric metric = MahalanobisMetric.of(2, p, rnd.doubles(2 * p).map(v -> v * 2 - 1).toArray());
        List<double[]> pool = new ArrayList<>();
        int[] classes = new int[n];
        for (int i = 0; i < n; i++) {
            classes[i] = rnd.nextInt(3);
            double[] x = rnd.doubles(p).map(v -> v * 4).toArray();
            x[0] += classes[i];
            pool.add(x);
        }
        ExemplarStatistics s = ExemplarStatistics.of(metric, pool, classes);
        int anchors = Math.min(n, ExemplarStatistics.MAX_ANCHORS);
        double[] margins = new double[anchors];
        double[] nearest = new double[anchors];
        for (int a = 0; a < anchors; a++) {
            int i = (int) ((long) a * n / anchors);
            int target = -1;
            int impostor = -1;
            double best = Double.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (j == i) {
                    continue;
                }
                double d = metric.distanceSquared(pool.get(i), pool.get(j));
                best = Math.min(best, d);
                if (classes[j] == classes[i]) {
                    if (target < 0 || d < metric.distanceSquared(pool.get(i), pool.get(target))) {
                        target = j;
                    }
                } else if (impostor < 0 || d < metric.distanceSquared(pool.get(i), pool.get(impostor))) {
                    impostor = j;
                }
            }
            nearest[a] = Math.sqrt(best);
            margins[a] = metric.margin(pool.get(i), pool.get(target), pool.get(impostor));
        }
        assertArrayEquals(nearest, s.nearestDistances(), TOLERANCE);
        assertArrayEquals(margins, s.margins(), TOLERANCE);
        return s;
    }
}
