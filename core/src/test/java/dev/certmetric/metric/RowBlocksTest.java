package dev.certmetric.metric;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RowBlocksTest {
    /** Bit for bit the row-major distances, for row counts around and across the block size. */
    @Property(tries = 60)
    void distancesAreExactlyTheRowMajorOnes(@ForAll @IntRange(min = 1, max = 3 * RowBlocks.BLOCK + 7) int n,
            @ForAll @IntRange(min = 1, max = 70) int q, @ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] rows = new double[n * q];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = rnd.nextGaussian() * Math.exp(rnd.nextDouble(-20, 20));
        }
        double[] v = new double[q];
        for (int r = 0; r < q; r++) {
            v[r] = rnd.nextGaussian() * Math.exp(rnd.nextDouble(-20, 20));
        }
        double[] out = new double[n];
        new RowBlocks(rows, n, q).squaredDistances(v, out);
        for (int i = 0; i < n; i++) {
            double[] row = java.util.Arrays.copyOfRange(rows, i * q, (i + 1) * q);
            assertEquals(Double.doubleToRawLongBits(LinearAlgebra.squaredDistance(v, row)),
                    Double.doubleToRawLongBits(out[i]), "row " + i);
        }
    }

    @Property(tries = 5)
    void refusesAShapeThatDoesNotMatch(@ForAll @IntRange(min = 1, max = 9) int n) {
        assertThrows(IllegalArgumentException.class, () -> new RowBlocks(new double[n * 3 + 1], n, 3));
        assertThrows(IllegalArgumentException.class, () -> new RowBlocks(new double[0], n, 0));
    }
}
