package dev.certmetric.scorer;

import dev.certmetric.eval.ExemplarStatistics;
import dev.certmetric.eval.Quantiles;
import dev.certmetric.metric.MahalanobisMetric;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A calibration from exemplars: the percentiles of leave-one-out nearest-neighbour distances, written out here. */
class AnomalyCalibrationTest {
    private static final MahalanobisMetric METRIC = MahalanobisMetric.of(2, 3, new double[] {1, -0.5, 0.2, 0.3, 2, -1});

    private static double[][] points(int n, long seed) {
        Random rnd = new Random(seed);
        double[][] x = new double[n][3];
        for (double[] row : x) {
            for (int f = 0; f < 3; f++) {
                row[f] = rnd.nextGaussian() * (1 + f);
            }
        }
        return x;
    }

    /** Percentiles of the distances from each of the given points to its nearest other point of the pool. */
    private static double[] expected(double[][] pool, int[] measured) {
        double[] nearest = new double[measured.length];
        for (int a = 0; a < measured.length; a++) {
            double best = Double.POSITIVE_INFINITY;
            for (int j = 0; j < pool.length; j++) {
                if (j != measured[a]) {
                    best = Math.min(best, METRIC.distanceSquared(pool[measured[a]], pool[j]));
                }
            }
            nearest[a] = Math.sqrt(best);
        }
        return Quantiles.evenly(nearest, ExemplarStatistics.CALIBRATION_POINTS);
    }

    @Test
    void smallPoolsMeasureEveryPoint() {
        double[][] pool = points(300, 1);
        int[] all = new int[pool.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        AnomalyCalibration c = AnomalyCalibration.fromExemplars(METRIC, pool);
        assertFalse(c.fromSnapshot());
        assertEquals(ExemplarStatistics.CALIBRATION_POINTS, c.quantiles().length);
        assertArrayEquals(expected(pool, all), c.quantiles(), 1e-12);
    }

    @Test
    void largePoolsMeasureEvenlySpacedPointsAgainstTheWholePool() {
        double[][] pool = points(1300, 2);
        int m = ExemplarStatistics.MAX_ANCHORS;
        int[] anchors = new int[m];
        int[] firstOnes = new int[m];
        for (int a = 0; a < m; a++) {
            anchors[a] = (int) ((long) a * pool.length / m);
            firstOnes[a] = a;
        }
        double[] quantiles = AnomalyCalibration.fromExemplars(METRIC, pool).quantiles();
        assertArrayEquals(expected(pool, anchors), quantiles, 1e-12);
        double[] other = expected(pool, firstOnes);
        assertTrue(java.util.stream.IntStream.range(0, quantiles.length).anyMatch(i -> Math.abs(other[i] - quantiles[i]) > 1e-9),
                "the sample is spread through the pool, not its first points");
    }

    @Test
    void fewerThanTwoPointsCannotCalibrate() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AnomalyCalibration.fromExemplars(METRIC, points(1, 3)));
        assertTrue(e.getMessage().contains("at least 2 points"), e.getMessage());
    }
}
