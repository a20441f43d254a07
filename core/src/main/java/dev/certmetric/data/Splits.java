package dev.certmetric.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Random train/test splits and k-fold partitions of row indices 0..n-1.
 *
 * <p>Deterministic per seed on every JVM: {@link Random}'s algorithm is fixed by its specification.
 * Indices come in shuffled order, not sorted: the data files are in source order, often grouped by
 * class, and a streaming learner consumes training rows in the order given.
 */
public final class Splits {
    private Splits() {
    }

    /** Disjoint train and test row indices. */
    public record TrainTest(int[] train, int[] test) {
        public TrainTest {
            train = train.clone();
            test = test.clone();
        }

        @Override
        public int[] train() {
            return train.clone();
        }

        @Override
        public int[] test() {
            return test.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TrainTest t && Arrays.equals(train, t.train) && Arrays.equals(test, t.test);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(train) + Arrays.hashCode(test);
        }

        @Override
        public String toString() {
            return "TrainTest[train=" + train.length + " rows, test=" + test.length + " rows]";
        }
    }

    /**
     * A random split with round(n * testFraction) test rows, clamped so both sides are non-empty.
     *
     * @param testFraction in (0, 1)
     */
    public static TrainTest randomSplit(int n, double testFraction, long seed) {
        if (n < 2) {
            throw new IllegalArgumentException("need at least 2 rows to split, got " + n);
        }
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("test fraction must be in (0, 1), got " + testFraction);
        }
        int[] perm = permutation(n, seed);
        int nTest = (int) Math.min(n - 1, Math.max(1, Math.round(n * testFraction)));
        return new TrainTest(Arrays.copyOfRange(perm, nTest, n), Arrays.copyOfRange(perm, 0, nTest));
    }

    /**
     * A k-fold partition: fold f tests on its own rows and trains on all others. Every row is tested
     * exactly once; fold sizes differ by at most one.
     *
     * @param folds in [2, n]
     */
    public static List<TrainTest> kFold(int n, int folds, long seed) {
        if (folds < 2 || folds > n) {
            throw new IllegalArgumentException("need 2 <= folds <= rows, got folds=" + folds + ", rows=" + n);
        }
        int[] perm = permutation(n, seed);
        List<TrainTest> result = new ArrayList<>(folds);
        for (int f = 0; f < folds; f++) {
            int from = (int) ((long) n * f / folds);
            int to = (int) ((long) n * (f + 1) / folds);
            int[] train = new int[n - (to - from)];
            System.arraycopy(perm, 0, train, 0, from);
            System.arraycopy(perm, to, train, from, n - to);
            result.add(new TrainTest(train, Arrays.copyOfRange(perm, from, to)));
        }
        return List.copyOf(result);
    }

    /** A random permutation of 0..n-1, deterministic per seed. */
    static int[] permutation(int n, long seed) {
        int[] perm = identity(n);
        shuffle(perm, new Random(seed));
        return perm;
    }

    /** 0, 1, ..., n-1. */
    public static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /** Shuffles in place (Fisher-Yates). */
    public static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
