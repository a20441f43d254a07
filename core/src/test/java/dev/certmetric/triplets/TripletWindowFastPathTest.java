package dev.certmetric.triplets;

import dev.certmetric.metric.LinearAlgebra;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The learner's fast paths against the straightforward ones they replace: equal to the bit. */
class TripletWindowFastPathTest {
    @Test
    void blockedMultiplyIsBitwiseEqualToRowByRowSums() {
        Random rnd = new Random(5);
        for (int rows : new int[] {1, 3, 4, 7, 8, 9, 16, 17}) {
            for (int cols : new int[] {1, 5, 16}) {
                double[] a = rnd.doubles(rows * cols).map(v -> v * 2 - 1).toArray();
                double[] x = rnd.doubles(cols).map(v -> v * 2 - 1).toArray();
                double[] plain = new double[rows];
                double[] blocked = new double[rows];
                for (int r = 0; r < rows; r++) {
                    double sum = 0;
                    for (int c = 0; c < cols; c++) {
                        sum += a[r * cols + c] * x[c];
                    }
                    plain[r] = sum;
                }
                LinearAlgebra.multiply(a, rows, cols, x, blocked);
                for (int r = 0; r < rows; r++) {
                    assertEquals(Double.doubleToRawLongBits(plain[r]), Double.doubleToRawLongBits(blocked[r]));
                }
            }
        }
    }

    @Test
    void fusedSelectionMatchesNearest() {
        Random rnd = new Random(11);
        for (int trial = 0; trial < 200; trial++) {
            int perClass = 1 + rnd.nextInt(9);
            int classes = 1 + rnd.nextInt(4);
            int q = 1 + rnd.nextInt(5);
            TripletWindow w = new TripletWindow(perClass, 0);
            int adds = rnd.nextInt(3 * perClass * classes + 1);
            for (int i = 0; i < adds; i++) {
                double[] lx = new double[q];
                for (int r = 0; r < q; r++) {
                    lx[r] = rnd.nextInt(3); // coarse grid: many exact ties
                }
                w.add(rnd.nextInt(classes), i, new double[1], new double[1], lx);
            }
            double[] query = new double[q];
            for (int r = 0; r < q; r++) {
                query[r] = rnd.nextInt(3);
            }
            int label = rnd.nextInt(classes + 1); // sometimes a class the window has not seen
            int k = 1 + rnd.nextInt(4);
            int m = 1 + rnd.nextInt(6);
            int slot = w.nextSlot(label);
            double[] dist = w.distances(query);
            TripletWindow.Entry[] all = new TripletWindow.Entry[k];
            TripletWindow.Entry[] same = new TripletWindow.Entry[k];
            TripletWindow.Entry[] other = new TripletWindow.Entry[m];
            int[] found = new int[3];
            w.selectAll(dist, label, slot, k, m, all, new double[k], same, new double[k], other, new double[m], found);

            TripletWindow.Entry[] expectAll = nearest(w, query, k, c -> true, null);
            TripletWindow.Entry[] expectOther = nearest(w, query, m, c -> c != label, null);
            // The anchor then takes `slot` of its class (evicting what was there) and is excluded itself.
            TripletWindow.Entry self = w.add(label, adds, new double[1], new double[1], query);
            TripletWindow.Entry[] expectSame = Arrays.stream(nearest(w, query, w.size(), c -> c == label, self))
                    .filter(e -> LinearAlgebra.squaredDistance(query, e.lx()) > 0).limit(k)
                    .toArray(TripletWindow.Entry[]::new);

            assertSameEntries(expectAll, all, found[0]);
            assertSameEntries(expectSame, same, found[1]);
            assertSameEntries(expectOther, other, found[2]);
        }
    }

    private static void assertSameEntries(TripletWindow.Entry[] expected, TripletWindow.Entry[] actual, int n) {
        assertEquals(expected.length, n);
        for (int i = 0; i < n; i++) {
            assertSame(expected[i], actual[i], "entry " + i + " of " + Arrays.toString(expected));
        }
        assertArrayEquals(expected, Arrays.copyOf(actual, n));
    }

    /** The straightforward selection: nearest first among the accepted classes, ties to the earlier slot. */
    private static TripletWindow.Entry[] nearest(TripletWindow w, double[] lx, int count,
                                                 java.util.function.IntPredicate labelFilter, TripletWindow.Entry self) {
        TripletWindow.Entry[] best = new TripletWindow.Entry[count];
        double[] bestD = new double[count];
        int found = 0;
        for (int c = 0; c < w.classes(); c++) {
            if (!labelFilter.test(c)) {
                continue;
            }
            for (TripletWindow.Entry e : w.ring(c)) {
                if (e == null || e == self) {
                    continue;
                }
                double d = LinearAlgebra.squaredDistance(lx, e.lx());
                if (found < count) {
                    found++;
                } else if (d >= bestD[count - 1]) {
                    continue;
                }
                int s = found - 1;
                while (s > 0 && bestD[s - 1] > d) {
                    bestD[s] = bestD[s - 1];
                    best[s] = best[s - 1];
                    s--;
                }
                bestD[s] = d;
                best[s] = e;
            }
        }
        return Arrays.copyOf(best, found);
    }
}
