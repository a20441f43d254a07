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
}
