package dev.certmetric.triplets;

import dev.certmetric.metric.LinearAlgebra;
import dev.certmetric.preprocess.Standardizer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
        for (int trial = 0; trial < 300; trial++) {
            int perClass = 1 + rnd.nextInt(9);
            int classes = 1 + rnd.nextInt(4);
            int q = 1 + rnd.nextInt(5);
            TripletWindow w = new TripletWindow(perClass, 5, 1, q);
            int adds = rnd.nextInt(3 * perClass * classes + 1);
            for (int i = 0; i < adds; i++) {
                w.add(rnd.nextInt(classes), i, new double[1], new double[1], grid(rnd, q));
            }
            // Partly emptied rings, whose occupied slots wrap around.
            if (rnd.nextBoolean()) {
                w.retainNewest(1 + rnd.nextInt(perClass));
            } else if (rnd.nextBoolean()) {
                w.evictExpired(adds - 1 + rnd.nextInt(3));
            }
            double[] query = grid(rnd, q);
            int label = rnd.nextInt(classes + 1); // sometimes a class the window has not seen
            int k = 1 + rnd.nextInt(4);
            int n = 1 + rnd.nextInt(16); // the vote's list
            int m = 1 + rnd.nextInt(6);
            int[] depths = rnd.ints(1 + rnd.nextInt(3), 1, perClass + 2).sorted().toArray();
            double[][] dist = w.distances(query);
            int[][] tiers = new int[depths.length][n];
            double[][] tierD = new double[depths.length][n];
            int[] tierFound = new int[depths.length];
            w.selectTiers(dist, depths, n, tiers, tierD, tierFound);
            for (int t = 0; t < depths.length; t++) {
                int depth = depths[t];
                int[] expectTier = nearest(w, query, n, c -> true, -1, index -> age(w, index) < depth);
                assertArrayEquals(expectTier, Arrays.copyOf(tiers[t], tierFound[t]), "tier of depth " + depth);
            }
            for (int index : w.indices()) {
                assertEquals(index, w.indexOfAge(w.label(index), w.age(index)), "age and index agree");
                assertEquals(age(w, index), w.age(index), "age of " + index);
            }
            int[] same = new int[k];
            int[] other = new int[m];
            int[] found = new int[2];
            // The anchor's entry will evict its class's oldest when the class is full: that one is left out.
            int own = w.count(label) == perClass ? perClass - 1 : perClass;
            w.selectTriplets(dist, label, own, perClass, k, m, same, new double[k], other, new double[m], found);

            int[] expectOther = nearest(w, query, m, c -> c != label, -1, index -> true);
            // The anchor then joins its class (evicting its oldest if full) and is excluded itself.
            int self = w.add(label, adds, new double[1], new double[1], query);
            int[] expectSame = Arrays.stream(nearest(w, query, w.size(), c -> c == label, self, index -> true))
                    .filter(e -> LinearAlgebra.squaredDistance(query, w.lx(e, new double[q])) > 0).limit(k).toArray();

            assertArrayEquals(expectSame, Arrays.copyOf(same, found[0]), "same");
            assertArrayEquals(expectOther, Arrays.copyOf(other, found[1]), "other");
        }
    }

    @Test
    void columnCachesAreBitwiseThePlainPerEntryResults() {
        Random rnd = new Random(3);
        int p = 7;
        int q = 5;
        TripletWindow w = new TripletWindow(6, 0, p, q);
        for (int i = 0; i < 40; i++) {
            double[] raw = rnd.doubles(p).map(v -> v * 10 - 3).toArray();
            w.add(rnd.nextInt(3), i, raw, new double[p], new double[q]);
        }
        double[] l = rnd.doubles(q * p).map(v -> v * 2 - 1).toArray();
        Standardizer standardizer = new Standardizer(new double[] {1, -2, 0, 3, 0.5, 0, 1},
                new double[] {2, 3, 1, 0.5, 4, 0, 1});
        w.refresh(standardizer);
        w.transform(l);
        double[] query = rnd.doubles(q).toArray();
        double[] xquery = rnd.doubles(p).toArray();
        double[][] dist = w.distances(query);
        double[][] xdist = w.preprocessedDistances(xquery);
        for (int index : w.indices()) {
            double[] x = standardizer.apply(w.raw(index, new double[p]));
            assertArrayEquals(x, w.x(index, new double[p]));
            assertLxAndDistanceBits(w, l, query, dist, index);
            assertEquals(Double.doubleToRawLongBits(LinearAlgebra.squaredDistance(xquery, x)),
                    Double.doubleToRawLongBits(xdist[w.label(index)][index % w.perClass()]));
        }
    }

    @Test
    void lazyTransformGivesTheSameBitsWhetherAnEntryIsReadFirstOrPassed() {
        Random rnd = new Random(4);
        int p = 6;
        int q = 4;
        TripletWindow w = new TripletWindow(5, 0, p, q);
        for (int i = 0; i < 30; i++) {
            w.add(rnd.nextInt(3), i, rnd.doubles(p).toArray(), new double[p], new double[q]);
        }
        Standardizer standardizer = new Standardizer(new double[p], java.util.stream.DoubleStream.generate(() -> 1)
                .limit(p).toArray());
        w.refresh(standardizer);
        w.transform(rnd.doubles(q * p).toArray());
        w.distances(new double[q]); // every entry brought up to the first L
        double[] l2 = rnd.doubles(q * p).map(v -> v - 0.5).toArray();
        w.transform(l2);
        int[] indices = w.indices();
        for (int i = 0; i < indices.length; i += 2) {
            w.lx(indices[i], new double[q]); // half of them read (and brought up to L2) before the pass
        }
        double[] raw = rnd.doubles(p).toArray();
        double[] lxNew = new double[q];
        LinearAlgebra.multiply(l2, q, p, standardizer.apply(raw), lxNew);
        w.add(0, 99, raw, standardizer.apply(raw), lxNew); // added after the transform, with its L2 x
        double[] query = rnd.doubles(q).toArray();
        double[][] dist = w.distances(query);
        for (int index : w.indices()) {
            assertLxAndDistanceBits(w, l2, query, dist, index);
        }
    }

    /** The entry's cached L x and its distance in the pass are bit for bit the plain per-entry products. */
    private static void assertLxAndDistanceBits(TripletWindow w, double[] l, double[] query, double[][] dist,
                                                int index) {
        int q = query.length;
        int p = l.length / q;
        double[] lx = new double[q];
        LinearAlgebra.multiply(l, q, p, w.x(index, new double[p]), lx);
        double[] cached = w.lx(index, new double[q]);
        for (int r = 0; r < q; r++) {
            assertEquals(Double.doubleToRawLongBits(lx[r]), Double.doubleToRawLongBits(cached[r]));
        }
        assertEquals(Double.doubleToRawLongBits(LinearAlgebra.squaredDistance(query, lx)),
                Double.doubleToRawLongBits(dist[w.label(index)][index % w.perClass()]));
    }

    @Test
    void nearestSkipsCopiesOfTheQuery() {
        TripletWindow w = new TripletWindow(4, 0, 1, 1);
        double[] values = {0, 3, 1, 0, 2, 5};
        for (int i = 0; i < values.length; i++) {
            w.add(i % 2, i, new double[1], new double[1], new double[] {values[i]});
        }
        double[][] dist = w.distances(new double[] {0});
        int[] best = new int[3];
        double[] bestD = new double[3];
        int n = w.nearest(dist, dist, 3, best, bestD);
        assertEquals(3, n);
        assertArrayEquals(new double[] {1, 4, 9}, bestD); // index order: class 0's 1 and 4, then class 1's 9
    }

    @Test
    void nearestMatchesTheSortedSelection() {
        Random rnd = new Random(8);
        for (int trial = 0; trial < 300; trial++) {
            int perClass = 1 + rnd.nextInt(12);
            TripletWindow w = new TripletWindow(perClass, 0, 1, 2);
            int adds = rnd.nextInt(4 * perClass + 1);
            for (int i = 0; i < adds; i++) {
                w.add(rnd.nextInt(3), i, new double[1], new double[1], grid(rnd, 2));
            }
            double[] query = grid(rnd, 2);
            int count = 1 + rnd.nextInt(10);
            double[][] dist = w.distances(query);
            int[] best = new int[count];
            double[] bestD = new double[count];
            int n = w.nearest(dist, dist, count, best, bestD);
            int[] expected = Arrays.stream(w.indices())
                    .filter(e -> LinearAlgebra.squaredDistance(query, w.lx(e, new double[2])) > 0)
                    .boxed().sorted(java.util.Comparator.comparingDouble(
                            (Integer e) -> LinearAlgebra.squaredDistance(query, w.lx(e, new double[2])))
                            .thenComparingInt(e -> e))
                    .limit(count).mapToInt(Integer::intValue).sorted().toArray();
            assertArrayEquals(expected, Arrays.copyOf(best, n));
        }
    }

    private static double[] grid(Random rnd, int q) {
        double[] v = new double[q];
        for (int r = 0; r < q; r++) {
            v[r] = rnd.nextInt(3); // coarse grid: many exact ties
        }
        return v;
    }

    /** The straightforward selection: nearest first among the accepted classes, ties to the earlier index. */
    /** Brute force: the count nearest entries passing both filters, ties to the earlier index (indices() order). */
    private static int[] nearest(TripletWindow w, double[] lx, int count, java.util.function.IntPredicate labelFilter,
                                 int self, java.util.function.IntPredicate entryFilter) {
        int[] best = new int[count];
        double[] bestD = new double[count];
        int found = 0;
        for (int e : w.indices()) {
            if (!labelFilter.test(w.label(e)) || e == self || !entryFilter.test(e)) {
                continue;
            }
            double d = LinearAlgebra.squaredDistance(lx, w.lx(e, new double[lx.length]));
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
        return Arrays.copyOf(best, found);
    }

    /** How many entries of the entry's class are newer (the test adds one entry per time stamp). */
    private static int age(TripletWindow w, int index) {
        return (int) Arrays.stream(w.indices())
                .filter(e -> w.label(e) == w.label(index) && w.timestamp(e) > w.timestamp(index)).count();
    }
}
