package dev.certmetric.scorer;

import dev.certmetric.metric.LinearAlgebra;
import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.preprocess.Standardizer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The catalogue under one model's metric: every item's projection L z (z the item preprocessed by the model)
 * held flat, row-major (n x q), with its id and label, searched by brute force in blocks. One index belongs to
 * one {@link ServingModel}; {@link Catalogue} builds it before the model serves and keeps it current as items
 * change.
 *
 * <p>Searches (any thread) share a read lock; an item change (the catalogue's thread) takes the write lock for
 * O(q) work, so it waits for at most the searches in flight.
 */
public final class CatalogueIndex {
    /** Rows per block: the block's squared distances stay in L1 while the k nearest are picked from them. */
    private static final int BLOCK = 256;

    /** One catalogue item found by a search; {@code label} is null when the item has none. */
    public record Match(String id, String label, double distance) {
    }

    private final Standardizer preprocessing;
    private final MahalanobisMetric metric;
    private final int q;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, Integer> slots = new HashMap<>();
    private double[] lx;
    private String[] ids;
    private String[] labels;
    private volatile int size;

    CatalogueIndex(Standardizer preprocessing, MahalanobisMetric metric, int capacity) {
        this.preprocessing = preprocessing;
        this.metric = metric;
        this.q = metric.rank();
        int c = Math.max(16, capacity);
        this.lx = new double[c * q];
        this.ids = new String[c];
        this.labels = new String[c];
    }

    /** Raw input features the model takes. */
    public int dimension() {
        return metric.dimension();
    }

    /** Items searchable now. */
    public int size() {
        return size;
    }

    /**
     * L z of raw features (length p), z the model's preprocessing of them; null if a projection is not finite
     * (impossible within the feature and snapshot bounds; checked so that no distance can be infinite).
     */
    double[] project(double[] raw) {
        double[] lz = metric.transform(preprocessing.apply(raw));
        for (double v : lz) {
            if (!Double.isFinite(v)) {
                return null;
            }
        }
        return lz;
    }

    /** Adds the item, or replaces the one of the same id. */
    void put(String id, String label, double[] lz) {
        lock.writeLock().lock();
        try {
            Integer slot = slots.get(id);
            int i;
            if (slot != null) {
                i = slot;
            } else {
                i = size;
                if (i == ids.length) {
                    int c = ids.length + (ids.length >> 1);
                    lx = Arrays.copyOf(lx, c * q);
                    ids = Arrays.copyOf(ids, c);
                    labels = Arrays.copyOf(labels, c);
                }
                slots.put(id, i);
                size = i + 1;
            }
            System.arraycopy(lz, 0, lx, i * q, q);
            ids[i] = id;
            labels[i] = label;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Removes the item if present: the last row moves into its slot. */
    void remove(String id) {
        lock.writeLock().lock();
        try {
            Integer slot = slots.remove(id);
            if (slot == null) {
                return;
            }
            int last = size - 1;
            int i = slot;
            if (i != last) {
                System.arraycopy(lx, last * q, lx, i * q, q);
                ids[i] = ids[last];
                labels[i] = labels[last];
                slots.put(ids[i], i);
            }
            ids[last] = null;
            labels[last] = null;
            size = last;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The k nearest items to raw features (length p), nearest first; see {@link #searchProjected}. */
    public Match[] search(double[] raw, int k) {
        double[] lz = project(raw);
        if (lz == null) {
            throw new IllegalArgumentException("the query's projection L z is not finite");
        }
        return searchProjected(lz, k);
    }

    /**
     * The min(k, size) items nearest to a projected query lz = L z, nearest first, with their distances
     * ||lz - L z_i||; equal distances are ordered by id, so every scorer answers alike whatever the order
     * in which it learnt the items.
     */
    Match[] searchProjected(double[] lz, int k) {
        lock.readLock().lock();
        try {
            int n = size;
            int kk = Math.min(k, n);
            if (kk == 0) {
                return new Match[0];
            }
            int[] best = new int[kk];
            double[] bestD = new double[kk];
            Arrays.fill(bestD, Double.POSITIVE_INFINITY);
            double[] block = new double[Math.min(BLOCK, n)];
            for (int from = 0; from < n; from += BLOCK) {
                int to = Math.min(n, from + BLOCK);
                LinearAlgebra.squaredDistances(lz, lx, from, to, block);
                for (int i = from; i < to; i++) {
                    double d = block[i - from];
                    if (d > bestD[kk - 1] || d == bestD[kk - 1] && !before(i, best[kk - 1])) {
                        continue;
                    }
                    int s = kk - 1;
                    while (s > 0 && (bestD[s - 1] > d || bestD[s - 1] == d && before(i, best[s - 1]))) {
                        bestD[s] = bestD[s - 1];
                        best[s] = best[s - 1];
                        s--;
                    }
                    bestD[s] = d;
                    best[s] = i;
                }
            }
            Match[] out = new Match[kk];
            for (int s = 0; s < kk; s++) {
                out[s] = new Match(ids[best[s]], labels[best[s]], Math.sqrt(bestD[s]));
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Whether row i sorts before row j among equal distances. */
    private boolean before(int i, int j) {
        return ids[i].compareTo(ids[j]) < 0;
    }
}
