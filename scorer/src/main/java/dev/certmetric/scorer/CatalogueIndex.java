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
 * ||y_a - y_b|| = ||L (z_a - z_b)||), flat and row-major, with its id and label. R holds the principal axes of
 * the items' projections, largest variance first, and the coordinates are split into chunks of {@link #CHUNK}
 * (the last one shorter), each chunk an n x width array. A search computes the first chunk's squared distance for
 * every row of a block, and adds the next chunk of a row only while its sum does not exceed the k-th best squared
 * distance so far: a sum of squares only grows as terms are added (in floating point too), so a row dropped
 * early could not have entered the k best. With R the first chunks carry most of every distance, so most rows
 * cost one chunk, and their other chunks are not read.
 *
 * <p>R is recomputed (from a sample of at most {@link #SAMPLE} rows) whenever the index has doubled since the
 * last time, from {@link #MIN_ROTATE} rows on: the new rows and the new projection are computed beside the
 * old ones and swapped in under the write lock, so searches never wait for it. Searches share a read lock; an
 * item change takes the write lock for O(q) work.
 */
public final class CatalogueIndex {
    /** Rows per block: the block's squared distances stay in L1 while the k nearest are picked from them. */
    private static final int BLOCK = 256;
    /** Coordinates per chunk: two cache lines of doubles per row. */
    static final int CHUNK = 16;
    /** Below this many rows a search is cheap whatever R is: R stays the identity. */
    static final int MIN_ROTATE = 256;
    /** Rows sampled (evenly spaced) for the principal axes. */
    private static final int SAMPLE = 4096;

    /** One catalogue item found by a search; {@code label} is null when the item has none. */
    public record Match(String id, String label, double distance) {
    }

    private final Standardizer preprocessing;
    private final int q;
    /** Coordinates in each chunk, and where each starts. */
    private final int[] widths;
    private final int[] starts;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, Integer> slots = new HashMap<>();
    /** R L: maps a preprocessed input to the coordinates of the rows. */
    private MahalanobisMetric projection;
    /** chunks[c]: row-major n x widths[c]. */
    private double[][] chunks;
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
        int parts = (q + CHUNK - 1) / CHUNK;
        this.widths = new int[parts];
        this.starts = new int[parts];
        for (int j = 0; j < parts; j++) {
            starts[j] = j * CHUNK;
            widths[j] = Math.min(CHUNK, q - starts[j]);
        }
        int c = Math.max(16, capacity);
        this.chunks = new double[parts][];
        for (int j = 0; j < parts; j++) {
            chunks[j] = new double[c * widths[j]];
        }
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
                    for (int j = 0; j < chunks.length; j++) {
                        chunks[j] = Arrays.copyOf(chunks[j], c * widths[j]);
                    }
                    ids = Arrays.copyOf(ids, c);
                    labels = Arrays.copyOf(labels, c);
                    raws = Arrays.copyOf(raws, c);
                }
                slots.put(id, i);
                size = i + 1;
            }
            store(y, chunks, i);
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
            if (i != last) {
                for (int j = 0; j < chunks.length; j++) {
                    System.arraycopy(chunks[j], last * widths[j], chunks[j], i * widths[j], widths[j]);
                }
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
        double[] y = new double[q];
        for (int i = 0; i < n; i += step, m++) {
            row(i, y);
            for (int r = 0; r < q; r++) {
                mean[r] += y[r];
            }
        }
        for (int r = 0; r < q; r++) {
            mean[r] /= m;
        }
        double[] cov = new double[q * q];
        for (int i = 0; i < n; i += step) {
            row(i, y);
            for (int r = 0; r < q; r++) {
                y[r] -= mean[r];
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
        double[][] turnedChunks = new double[chunks.length][];
        for (int j = 0; j < chunks.length; j++) {
            turnedChunks[j] = new double[chunks[j].length];
        }
        double[] z = new double[p];
        for (int i = 0; i < n; i++) {
            preprocessing.apply(raws[i], z);
            newProjection.transform(z, out);
            store(out, turnedChunks, i);
        }
        lock.writeLock().lock();
        try {
            chunks = turnedChunks;
            projection = newProjection;
        } finally {
            lock.writeLock().unlock();
        }
        rotatedAt = n;
    }

    private void row(int i, double[] y) {
        for (int j = 0; j < chunks.length; j++) {
            System.arraycopy(chunks[j], i * widths[j], y, starts[j], widths[j]);
        }
    }

    private void store(double[] y, double[][] into, int i) {
        for (int j = 0; j < into.length; j++) {
            System.arraycopy(y, starts[j], into[j], i * widths[j], widths[j]);
        }
    }

    /**
     * The min(k, size) items nearest to raw features (length p), nearest first, with their distances
     * ||L (z - z_i)|| computed as ||y - y_i|| (the chunks' sums of squares added in order); equal distances
     * are ordered by id, so every scorer answers alike whatever the order in which it learnt the items.
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
        double[][] yParts = new double[chunks.length][];
        for (int j = 0; j < chunks.length; j++) {
            yParts[j] = Arrays.copyOfRange(y, starts[j], starts[j] + widths[j]);
        }
        double[] one = new double[1];
        int[] best = new int[kk];
        double[] bestD = new double[kk];
        Arrays.fill(bestD, Double.POSITIVE_INFINITY);
        double[] block = new double[Math.min(BLOCK, n)];
        for (int from = 0; from < n; from += BLOCK) {
            int to = Math.min(n, from + BLOCK);
            LinearAlgebra.squaredDistances(yParts[0], chunks[0], from, to, block);
            for (int i = from; i < to; i++) {
                double d = block[i - from];
                for (int j = 1; j < chunks.length && d <= bestD[kk - 1]; j++) {
                    LinearAlgebra.squaredDistances(yParts[j], chunks[j], i, i + 1, one);
                    d += one[0];
                }
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
    }

    /** Whether row i sorts before row j among equal distances. */
    private boolean before(int i, int j) {
        return ids[i].compareTo(ids[j]) < 0;
    }
}
