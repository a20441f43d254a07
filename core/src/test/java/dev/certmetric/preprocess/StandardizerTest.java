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
        Standardizer s = online.current(RowScaling.UNIT_NORM);
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
        assertEquals(b, online.current(RowScaling.UNIT_NORM).std()[0], 1e-9 * b);
        // merging two halves that sit at opposite ends of the bound
        OnlineStandardizer lo = new OnlineStandardizer(1);
        OnlineStandardizer hi = new OnlineStandardizer(1);
        for (int i = 0; i < 1000; i++) {
            lo.update(new double[] {-b});
            hi.update(new double[] {b});
        }
        assertEquals(b, OnlineStandardizer.merge(lo, hi).current(RowScaling.UNIT_NORM).std()[0], 1e-9 * b);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> online.update(new double[] {1e308}));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> online.update(new double[] {Double.NaN}));
    }

    @Test
    void scaledRowsKeepTheirMagnitudeAndAverageUnitLength() {
        java.util.Random rnd = new java.util.Random(3);
        int p = 8;
        double[][] rows = new double[4000][p];
        OnlineStandardizer online = new OnlineStandardizer(p);
        for (double[] row : rows) {
            double size = 1 + rnd.nextInt(3);
            for (int f = 0; f < p; f++) {
                row[f] = 5 + size * rnd.nextGaussian() * (f + 1);
            }
            online.update(row);
        }
        Standardizer scaled = online.current(RowScaling.SCALED);
        Standardizer unit = online.current(RowScaling.UNIT_NORM);
        double meanSquare = 0;
        for (double[] row : rows) {
            double[] z = scaled.apply(row);
            double[] u = unit.apply(row);
            double n2 = 0;
            for (int f = 0; f < p; f++) {
                double expected = (row[f] - scaled.mean()[f]) / scaled.std()[f] / Math.sqrt(p);
                assertEquals(expected, z[f], 1e-12 * (1 + Math.abs(expected)), "z / sqrt(p)");
                n2 += z[f] * z[f];
            }
            for (int f = 0; f < p; f++) {
                assertEquals(z[f] / Math.sqrt(n2), u[f], 1e-12, "the two differ by the row's length only");
            }
            meanSquare += n2 / rows.length;
        }
        assertEquals(1, meanSquare, 1e-9, "standardised rows are sqrt(p) long on average in the mean square");
    }

    @Test
    void invertMapsBackUnderEitherScaling() {
        double[] mean = {1, -2, 3};
        double[] std = {2, 0.5, 4};
        double[] raw = {4, -1, 11};
        for (RowScaling rows : java.util.List.of(RowScaling.UNIT_NORM, RowScaling.SCALED)) {
            Standardizer s = new Standardizer(mean, std, rows);
            double[] x = s.apply(raw);
            assertArrayEquals(x, s.apply(s.invert(x)), 1e-12, rows.name());
            assertEquals(rows, RowScaling.of(rows.name()));
            assertEquals(rows, rows.other().other());
            assertTrue(!s.equals(new Standardizer(mean, std, rows.other())), "the scaling is part of the transform");
        }
        assertArrayEquals(raw, new Standardizer(mean, std, RowScaling.SCALED).invert(
                new Standardizer(mean, std, RowScaling.SCALED).apply(raw)), 1e-12, "scaled rows are affine: exact");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> RowScaling.of("l1"));
        assertTrue(e.getMessage().contains("unit-norm | scaled"), e.getMessage());
    }

    @Test
    void scaledRowsStayWithinTheirLongestNorm() {
        int p = 4;
        Standardizer s = new Standardizer(new double[p], new double[] {0, 1, 1e-3, 1}, RowScaling.SCALED);
        for (double v : new double[] {1e4, 1e140, -1e140}) {
            double[] z = s.apply(new double[] {v, 1, v, -v});
            double norm2 = 0;
            for (double e : z) {
                assertTrue(Double.isFinite(e));
                norm2 += e * e;
            }
            assertEquals(ScaledRows.MAX_NORM, Math.sqrt(norm2), 1e-9 * ScaledRows.MAX_NORM, "shortened: " + v);
        }
        double[] near = s.apply(new double[] {1, 2, 0.001, 0});
        assertArrayEquals(new double[] {0.5, 1, 0.5, 0}, near, 1e-12, "short rows are only divided by sqrt(p)");
        assertArrayEquals(new double[p], s.apply(new double[p]), "a zero row stays zero");
    }
}
