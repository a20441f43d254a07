package dev.certmetric.triplets;

import dev.certmetric.metric.LinearAlgebra;
import dev.certmetric.objective.TripletSet;

import java.util.Arrays;

/**
 * The reference implementation's triplets: for every point its k nearest same-class points
 * (Euclidean) as targets and its v nearest other-class points as impostors, all k x v combinations,
 * chosen once before training. A class with fewer than k + 1 members uses the neighbours it has
 * (the reference crashes there).
 */
public final class ReferenceTriplets {
    private ReferenceTriplets() {
    }

    public static TripletSet build(double[][] x, int[] y, int k, int v) {
        if (k < 1 || v < 1) {
            throw new IllegalArgumentException("k and v must be >= 1, got k=" + k + ", v=" + v);
        }
        int n = x.length;
        if (y.length != n) {
            throw new IllegalArgumentException("x has " + n + " rows but y has " + y.length);
        }
        IntList targetAnchor = new IntList();
        IntList target = new IntList();
        IntList impostorAnchor = new IntList();
        IntList impostor = new IntList();
        IntList tripletTarget = new IntList();
        IntList tripletImpostor = new IntList();
        double[] dist = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                dist[j] = LinearAlgebra.squaredDistance(x[i], x[j]);
            }
            int[] same = nearest(dist, y, i, true, k);
            int[] other = nearest(dist, y, i, false, v);
            int firstImpostor = impostor.size();
            for (int l : other) {
                impostorAnchor.add(i);
                impostor.add(l);
            }
            for (int t : same) {
                int pair = target.size();
                targetAnchor.add(i);
                target.add(t);
                for (int m = 0; m < other.length; m++) {
                    tripletTarget.add(pair);
                    tripletImpostor.add(firstImpostor + m);
                }
            }
        }
        return new TripletSet(targetAnchor.toArray(), target.toArray(), impostorAnchor.toArray(),
                impostor.toArray(), tripletTarget.toArray(), tripletImpostor.toArray());
    }

    /**
     * Indices of the (at most) count smallest distances among the anchor's class but itself ({@code same}) or
     * among the other classes, nearest first.
     */
    static int[] nearest(double[] dist, int[] y, int anchor, boolean same, int count) {
        int[] best = new int[count];
        int size = 0;
        for (int j = 0; j < y.length; j++) {
            if (same ? j == anchor || y[j] != y[anchor] : y[j] == y[anchor]) {
                continue;
            }
            if (size < count) {
                best[size++] = j;
            } else if (dist[j] < dist[best[size - 1]]) {
                best[size - 1] = j;
            } else {
                continue;
            }
            for (int s = size - 1; s > 0 && dist[best[s]] < dist[best[s - 1]]; s--) {
                int tmp = best[s];
                best[s] = best[s - 1];
                best[s - 1] = tmp;
            }
        }
        return Arrays.copyOf(best, size);
    }

    private static final class IntList {
        private int[] data = new int[64];
        private int size;

        void add(int value) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = value;
        }

        int size() {
            return size;
        }

        int[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
