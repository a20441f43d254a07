package dev.certmetric.preprocess;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StandardizerTest {
    @Test
    void centresScalesByPopulationStdAndNormalisesRows() {
        double[][] rows = {{1, 10, 5}, {3, 20, 5}, {5, 60, 5}};
        Standardizer s = Standardizer.fit(rows);
        assertArrayEquals(new double[] {3, 30, 5}, s.mean(), 1e-12);
        assertEquals(Math.sqrt(8.0 / 3), s.std()[0], 1e-12);
        for (double[] row : rows) {
            double[] z = s.apply(row);
            double norm = 0;
            for (double v : z) {
                assertTrue(Double.isFinite(v), "constant column must not give NaN");
                norm += v * v;
            }
            assertEquals(1, norm, 1e-12);
            assertEquals(0, z[2], 0, "a constant column is only centred");
        }
    }

    @Test
    void onlineStatisticsEqualBatchOnes() {
        java.util.Random rnd = new java.util.Random(1);
        double[][] rows = new double[500][4];
        OnlineStandardizer online = new OnlineStandardizer(4);
        for (double[] row : rows) {
            for (int c = 0; c < 4; c++) {
                row[c] = 1e6 + rnd.nextGaussian() * (c + 1);
            }
            online.update(row);
        }
        double[] mean = new double[4];
        for (double[] row : rows) {
            for (int c = 0; c < 4; c++) {
                mean[c] += row[c] / rows.length;
            }
        }
        double[] var = new double[4];
        for (double[] row : rows) {
            for (int c = 0; c < 4; c++) {
                var[c] += (row[c] - mean[c]) * (row[c] - mean[c]) / rows.length;
            }
        }
        Standardizer s = online.current();
        for (int c = 0; c < 4; c++) {
            assertEquals(mean[c], s.mean()[c], 1e-6);
            assertEquals(Math.sqrt(var[c]), s.std()[c], 1e-9 * Math.sqrt(var[c]) + 1e-9);
        }
    }

    @Test
    void zeroRowStaysZero() {
        Standardizer s = Standardizer.identity(3);
        assertArrayEquals(new double[3], s.apply(new double[3]));
    }

    @Test
    void unitNormSurvivesOverflowAndUnderflowOfTheSumOfSquares() {
        int p = 1000;
        Standardizer s = Standardizer.identity(p);
        for (double v : new double[] {1e140, 1e300, 1e-200, Double.MIN_VALUE}) {
            double[] x = new double[p];
            java.util.Arrays.fill(x, v);
            x[0] = -v;
            double[] z = s.apply(x);
            double norm = 0;
            for (double e : z) {
                norm += e * e;
            }
            assertEquals(1, norm, 1e-12, "unit norm for entries of " + v);
            assertEquals(-1 / Math.sqrt(p), z[0], 1e-15);
        }
    }

    @Test
    void statisticsAtTheFeatureBoundStayFinite() {
        OnlineStandardizer online = new OnlineStandardizer(1);
        double b = OnlineStandardizer.MAX_ABS_FEATURE;
        for (int i = 0; i < 10_000; i++) {
            online.update(new double[] {i % 2 == 0 ? b : -b});
        }
        assertEquals(b, online.current().std()[0], 1e-9 * b);
        // merging two halves that sit at opposite ends of the bound
        OnlineStandardizer lo = new OnlineStandardizer(1);
        OnlineStandardizer hi = new OnlineStandardizer(1);
        for (int i = 0; i < 1000; i++) {
            lo.update(new double[] {-b});
            hi.update(new double[] {b});
        }
        assertEquals(b, OnlineStandardizer.merge(lo, hi).current().std()[0], 1e-9 * b);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> online.update(new double[] {1e308}));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> online.update(new double[] {Double.NaN}));
    }
}
