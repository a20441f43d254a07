package dev.certmetric.scorer;

import dev.certmetric.metric.LinearAlgebra;
import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.metric.PsdMatrices;
import dev.certmetric.preprocess.Standardizer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The catalogue under one model's metric, searched exactly. One index belongs to one {@link ServingModel};
 * {@link Catalogue} builds it before the model serves and keeps it current as items change (one writer: the
 * catalogue's thread).
 *
 * <p>Every item is held as y = R L z (z the item preprocessed by the model, R an orthogonal q x q matrix, so
 * ||y_a - y_b|| = ||L (z_a - z_b)||), flat and row-major, with its id and label, and again in single precision
 * ({@link SinglePrecisionRows}). R holds the principal axes of the items' projections, largest variance first.
 * A search measures every row of a block on its first coordinates in single precision, adds the others only
 * while the row can still be among the k best, and measures the rows that can in double: only those can be
 * answered, and their distances are the double ones, so the answer is the double brute force's. With R the
 * first coordinates carry most of every distance, so most rows cost the {@value SinglePrecisionRows#HEAD} floats
 * of their head, read in one sequential pass.
 *
 * <p>R is recomputed (from a sample of at most {@link #SAMPLE} rows) whenever the index has doubled since the
 * last time, from {@link #MIN_ROTATE} rows on: the new rows and the new projection are computed beside the
 * old ones and swapped in under the write lock, so searches never wait for it. Searches share a read lock; an
 * item change takes the write lock for O(q) work.
 */
public final class CatalogueIndex {
    private static final int BLOCK = SinglePrecisionRows.BLOCK;
    /** Below this many rows a search is cheap whatever R is: R stays the identity. */
    static final int MIN_ROTATE = 256;
    /** Rows sampled (evenly spaced) for the principal axes. */
    private static final int SAMPLE = 4096;

    /** One catalogue item found by a search; {@code label} is null when the item has none. */
    public record Match(String id, String label, double distance) {
    }

    private final Standardizer preprocessing;
    private final int q;
    private final double scale;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, Integer> slots = new HashMap<>();
    /** R L: maps a preprocessed input to the coordinates of the rows. */
    private MahalanobisMetric projection;
    /** Row-major n x q. */
    private double[] rows;
    private SinglePrecisionRows singles;
    private String[] ids;
    private String[] labels;
    /** The items' raw features (shared with the catalogue, never changed): rows are recomputed from them. */
    private double[][] raws;
    private volatile int size;
    /** Rows when R was last computed. */
    private int rotatedAt;

    CatalogueIndex(Standardizer preprocessing, MahalanobisMetric metric, int capacity) {
        this.preprocessing = preprocessing;
        this.projection = metric;
        this.q = metric.rank();
        this.scale = SinglePrecisionRows.scale(metric);
        int c = Math.max(16, capacity);
        this.rows = new double[c * q];
        this.singles = new SinglePrecisionRows(q, scale, new double[q], c);
        this.ids = new String[c];
        this.labels = new String[c];
        this.raws = new double[c][];
    }

    /** Raw input features the model takes. */
    public int dimension() {
        return projection.dimension();
    }

    /** Items searchable now. */
    public int size() {
        return size;
    }

    /**
     * The coordinates of raw features (length p) as the rows hold them, or null if one is not finite
     * (impossible within the feature and snapshot bounds; checked so that no distance can be infinite). On the
     * writer's thread, for {@link #put}.
     */
    double[] project(double[] raw) {
        double[] y = projection.transform(preprocessing.apply(raw));
        for (double v : y) {
            if (!Double.isFinite(v)) {
                return null;
            }
        }
        return y;
    }

    /** Adds the item, or replaces the one of the same id; {@code y} = {@link #project} of {@code raw}. */
    void put(String id, String label, double[] raw, double[] y) {
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
                    rows = Arrays.copyOf(rows, c * q);
                    singles.grow(c);
                    ids = Arrays.copyOf(ids, c);
                    labels = Arrays.copyOf(labels, c);
                    raws = Arrays.copyOf(raws, c);
                }
                slots.put(id, i);
                size = i + 1;
            }
            System.arraycopy(y, 0, rows, i * q, q);
            singles.set(i, y, size);
            ids[i] = id;
            labels[i] = label;
            raws[i] = raw;
        } finally {
            lock.writeLock().unlock();
        }
        if (size >= MIN_ROTATE && size >= 2 * rotatedAt) {
            rotate();
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
            System.arraycopy(rows, last * q, rows, i * q, q);
            singles.move(last, i, last);
            if (i != last) {
                ids[i] = ids[last];
                labels[i] = labels[last];
                raws[i] = raws[last];
                slots.put(ids[i], i);
            }
            ids[last] = null;
            labels[last] = null;
            raws[last] = null;
            size = last;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Turns the rows to the principal axes of their current coordinates. Each row is computed anew from its raw
     * features, exactly as an item added afterwards would be, so equal items keep equal rows. On the writer's
     * thread: the arrays only change there, so they are read here without the lock, and only the swap takes it.
     */
    private void rotate() {
        int n = size;
        int step = Math.max(1, n / SAMPLE);
        int m = 0;
        double[] mean = new double[q];
        for (int i = 0; i < n; i += step, m++) {
            for (int r = 0; r < q; r++) {
                mean[r] += rows[i * q + r];
            }
        }
        for (int r = 0; r < q; r++) {
            mean[r] /= m;
        }
        double[] cov = new double[q * q];
        double[] y = new double[q];
        for (int i = 0; i < n; i += step) {
            for (int r = 0; r < q; r++) {
                y[r] = rows[i * q + r] - mean[r];
            }
            LinearAlgebra.addOuter(cov, 1.0 / m, y, y);
        }
        double[] axes = PsdMatrices.principalAxes(cov, q, new double[q]);
        double[] l = projection.l();
        double[] turned = new double[q * projection.dimension()];
        double[] column = new double[q];
        double[] out = new double[q];
        int p = projection.dimension();
        for (int c = 0; c < p; c++) {
            for (int r = 0; r < q; r++) {
                column[r] = l[r * p + c];
            }
            LinearAlgebra.multiply(axes, q, q, column, out);
            for (int r = 0; r < q; r++) {
                turned[r * p + c] = out[r];
            }
        }
        MahalanobisMetric newProjection = MahalanobisMetric.of(q, p, turned);
        double[] center = new double[q];
        LinearAlgebra.multiply(axes, q, q, mean, center);
        double[] turnedRows = new double[rows.length];
        SinglePrecisionRows turnedSingles = new SinglePrecisionRows(q, scale, center, ids.length);
        double[] z = new double[p];
        for (int i = 0; i < n; i++) {
            preprocessing.apply(raws[i], z);
            newProjection.transform(z, out);
            System.arraycopy(out, 0, turnedRows, i * q, q);
            turnedSingles.set(i, out, i + 1);
        }
        lock.writeLock().lock();
        try {
            rows = turnedRows;
            singles = turnedSingles;
            projection = newProjection;
        } finally {
            lock.writeLock().unlock();
        }
        rotatedAt = n;
    }

    /**
     * The min(k, size) items nearest to raw features (length p), nearest first, with their distances
     * ||L (z - z_i)|| computed as ||y - y_i|| (the squares of the q differences added in order, then the square
     * root); equal distances (as answered, after the root) are ordered by id, so every scorer answers alike
     * whatever the order in which it learnt the items.
     */
    public Match[] search(double[] raw, int k) {
        double[] z = preprocessing.apply(raw);
        lock.readLock().lock();
        try {
            double[] y = projection.transform(z);
            for (double v : y) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("the query's projection is not finite");
                }
            }
            return nearest(y, k);
        } finally {
            lock.readLock().unlock();
        }
    }

    private Match[] nearest(double[] y, int k) {
        int n = size;
        int kk = Math.min(k, n);
        if (kk == 0) {
            return new Match[0];
        }
        SinglePrecisionRows.Query single = singles.query(y);
        double[] squared = new double[1];
        Best best = new Best(kk);
        float[] heads = new float[BLOCK];
        for (int b = 0, from = 0; from < n; b++, from += BLOCK) {
            int len = Math.min(BLOCK, n - from);
            singles.head(single, from, len, heads);
            float bound = singles.bound(best.kth(), b, single);
            for (int j = 0; j < len; j++) {
                if (heads[j] > bound || singles.tail(single, from + j, heads[j], bound) > bound) {
                    continue;
                }
                int i = from + j;
                LinearAlgebra.squaredDistances(y, rows, i, i + 1, squared);
                if (best.offer(i, Math.sqrt(squared[0]))) {
                    bound = singles.bound(best.kth(), b, single);
                }
            }
        }
        return best.matches();
    }

    /**
     * The k best rows so far: a max-heap on (distance, id), so its root is the k-th best, the one a row must beat,
     * and a row enters in O(log k).
     */
    private final class Best {
        private final int[] rows;
        private final double[] distances;
        private int count;

        Best(int k) {
            rows = new int[k];
            distances = new double[k];
        }

        /** The k-th best distance, infinite while fewer than k rows are known. */
        double kth() {
            return count < rows.length ? Double.POSITIVE_INFINITY : distances[0];
        }

        /** Keeps row i at distance d if it is among the k best so far. */
        boolean offer(int i, double d) {
            if (count < rows.length) {
                int s = count++;
                while (s > 0 && after(i, d, (s - 1) / 2)) {
                    int parent = (s - 1) / 2;
                    rows[s] = rows[parent];
                    distances[s] = distances[parent];
                    s = parent;
                }
                rows[s] = i;
                distances[s] = d;
                return true;
            }
            if (!after(rows[0], distances[0], i, d)) {
                return false;
            }
            siftDown(i, d, count);
            return true;
        }

        /** Puts (i, d) at the root of the first {@code size} slots and sinks it to its place. */
        private void siftDown(int i, double d, int size) {
            int s = 0;
            while (2 * s + 1 < size) {
                int c = 2 * s + 1;
                if (c + 1 < size && after(rows[c + 1], distances[c + 1], c)) {
                    c++;
                }
                if (!after(rows[c], distances[c], i, d)) {
                    break;
                }
                rows[s] = rows[c];
                distances[s] = distances[c];
                s = c;
            }
            rows[s] = i;
            distances[s] = d;
        }

        /** Nearest first: the root (the farthest) is taken out last place first. */
        Match[] matches() {
            Match[] out = new Match[count];
            for (int size = count; size > 0; size--) {
                out[size - 1] = new Match(ids[rows[0]], labels[rows[0]], distances[0]);
                siftDown(rows[size - 1], distances[size - 1], size - 1);
            }
            return out;
        }

        /** Whether row i at distance d sorts after slot s. */
        private boolean after(int i, double d, int s) {
            return after(i, d, rows[s], distances[s]);
        }

        /** Whether row i at distance d sorts after row j at distance e: farther, or as far with a larger id. */
        private boolean after(int i, double d, int j, double e) {
            return d > e || d == e && ids[i].compareTo(ids[j]) > 0;
        }
    }
}
