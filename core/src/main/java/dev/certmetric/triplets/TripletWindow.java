package dev.certmetric.triplets;

import dev.certmetric.metric.LinearAlgebra;
import dev.certmetric.preprocess.Standardizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A sliding window of recent labelled events, bounded per class by count and optionally by event
 * time, from which a streaming learner draws targets and impostors.
 *
 * <p>Each class is a ring of {@code perClass} slots; a slot is named by its index
 * {@code class * perClass + slot}. Every entry keeps its raw vector (the source of truth,
 * checkpointed), its preprocessed form x and its transform L x under the metric of the last
 * {@link #refresh}. The last two are caches, stored feature-major ({@code [feature][slot]}): the distance
 * pass and the refresh then run along contiguous slots with independent sums and the same index on every
 * array, which the JIT turns into SIMD code, while every sum keeps the order of the plain per-entry loop
 * (feature 0 first), so results are bit for bit those of {@code LinearAlgebra.squaredDistance} and
 * {@code LinearAlgebra.multiply}. Mutable, not thread-safe.
 */
public final class TripletWindow {
    /** A copy of one entry, for checkpoints, exemplars and tests. */
    public record Entry(int label, long timestamp, double[] raw, double[] x, double[] lx) {
    }

    private final int perClass;
    private final long maxAgeMillis;
    private final int p;
    private final int q;
    private final List<double[]> raws = new ArrayList<>();  // [slot * p + f]
    private final List<double[][]> xs = new ArrayList<>();    // [f][slot]
    private final List<double[][]> lxs = new ArrayList<>();   // [r][slot]
    // The same caches entry-major ([slot * p + f], [slot * q + r]): a learner reads a few entries whole per
    // event (its targets and impostors), which then cost two array copies instead of p + q scattered loads.
    private final List<double[]> xRows = new ArrayList<>();
    private final List<double[]> lxRows = new ArrayList<>();
    private final List<long[]> times = new ArrayList<>();
    // L x is brought up to date lazily after a transform: an entry when it is read, all of them before a
    // distance pass. A learner reads a few entries between two transforms, so most of them are never redone
    // for nothing. stamps[class][slot] is the transform an entry's L x belongs to.
    private final List<int[]> stamps = new ArrayList<>();
    private final double[] l;
    private int version;
    private boolean allCurrent = true;
    private final double[] lxScratch;
    private int[] head = new int[0];   // next write slot per class
    private int[] count = new int[0];  // occupied slots per class (the count slots before head)
    private int size;
    private double[][] dist = new double[0][];
    private double[][] xdist = new double[0][];
    private double[] candidates = new double[0];
    private final double[] row;

    /**
     * @param perClass slots per class
     * @param maxAgeMillis time bound (0 = none)
     * @param p raw and preprocessed dimension
     * @param q dimension of L x
     */
    public TripletWindow(int perClass, long maxAgeMillis, int p, int q) {
        if (perClass < 1) {
            throw new IllegalArgumentException("window per class must be >= 1");
        }
        if (p < 1 || q < 1) {
            throw new IllegalArgumentException("dimensions must be >= 1, got p = " + p + ", q = " + q);
        }
        this.perClass = perClass;
        this.maxAgeMillis = maxAgeMillis;
        this.p = p;
        this.q = q;
        this.row = new double[p];
        this.lxScratch = new double[q];
        this.l = new double[q * p];
    }

    public int size() {
        return size;
    }

    public int classes() {
        return raws.size();
    }

    public int perClass() {
        return perClass;
    }

    /** Entries of one class (0 for a class not seen yet). */
    public int count(int label) {
        return label < count.length ? count[label] : 0;
    }

    /**
     * Adds an event (copying the arrays), evicting its class's oldest if the class is full; returns the
     * new entry's index.
     */
    public int add(int label, long timestamp, double[] raw, double[] x, double[] lx) {
        if (raw.length != p || x.length != p || lx.length != q) {
            throw new IllegalArgumentException("entry of shape " + raw.length + "/" + x.length + "/" + lx.length
                    + ", expected " + p + "/" + p + "/" + q);
        }
        while (raws.size() <= label) {
            raws.add(new double[perClass * p]);
            xs.add(new double[p][perClass]);
            lxs.add(new double[q][perClass]);
            xRows.add(new double[perClass * p]);
            lxRows.add(new double[perClass * q]);
            times.add(new long[perClass]);
            stamps.add(new int[perClass]);
            head = Arrays.copyOf(head, raws.size());
            count = Arrays.copyOf(count, raws.size());
        }
        int s = head[label];
        System.arraycopy(raw, 0, raws.get(label), s * p, p);
        System.arraycopy(x, 0, xRows.get(label), s * p, p);
        System.arraycopy(lx, 0, lxRows.get(label), s * q, q);
        double[][] cx = xs.get(label);
        for (int f = 0; f < p; f++) {
            cx[f][s] = x[f];
        }
        double[][] clx = lxs.get(label);
        for (int r = 0; r < q; r++) {
            clx[r][s] = lx[r];
        }
        times.get(label)[s] = timestamp;
        stamps.get(label)[s] = version; // the caller's L x is under the last transform's L
        if (count[label] < perClass) {
            count[label]++;
            size++;
        }
        head[label] = (s + 1) % perClass;
        return label * perClass + s;
    }

    /** Drops entries older than {@code now - maxAgeMillis} (no-op without a time bound). */
    public void evictExpired(long now) {
        if (maxAgeMillis <= 0) {
            return;
        }
        long oldest = now - maxAgeMillis;
        for (int c = 0; c < count.length; c++) {
            long[] t = times.get(c);
            while (count[c] > 0 && t[tail(c)] < oldest) {
                count[c]--;
                size--;
            }
        }
    }

    /**
     * Keeps only the newest {@code keep} entries of every class (at least one), e.g. after a concept drift
     * made the older ones misleading; returns how many were dropped.
     */
    public int retainNewest(int keep) {
        int kept = Math.max(1, keep);
        int dropped = 0;
        for (int c = 0; c < count.length; c++) {
            if (count[c] > kept) {
                dropped += count[c] - kept;
                size -= count[c] - kept;
                count[c] = kept;
            }
        }
        return dropped;
    }

    private int tail(int c) {
        return Math.floorMod(head[c] - count[c], perClass);
    }

    /** All entries (copies), each class oldest first. */
    public List<Entry> entries() {
        allCurrent();
        List<Entry> all = new ArrayList<>(size);
        for (int c = 0; c < count.length; c++) {
            for (int i = 0, s = tail(c); i < count[c]; i++, s = (s + 1) % perClass) {
                int index = c * perClass + s;
                all.add(new Entry(c, times.get(c)[s], raw(index, new double[p]), x(index, new double[p]),
                        lx(index, new double[q])));
            }
        }
        return all;
    }

    /** The indices of all entries, in slot order per class (the order ties are broken in). */
    public int[] indices() {
        return indices(perClass);
    }

    /** The indices of each class's newest {@code depth} entries, in slot order per class. */
    public int[] indices(int depth) {
        int[] out = new int[size];
        int n = 0;
        for (int c = 0; c < count.length; c++) {
            int[] ranges = occupied(c);
            int skip = Math.max(0, count[c] - depth); // the oldest, which lead the ring from its tail
            int oldest = tail(c);
            for (int g = 0; g < ranges.length; g += 2) {
                for (int s = ranges[g]; s < ranges[g + 1]; s++) {
                    if (Math.floorMod(s - oldest, perClass) >= skip) {
                        out[n++] = c * perClass + s;
                    }
                }
            }
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * Class c's occupied slots as ascending half-open ranges {from, to, ...}: the count slots before the
     * head, which wrap around the ring at most once.
     */
    private int[] occupied(int c) {
        int n = count[c];
        if (n == 0) {
            return new int[0];
        }
        int start = tail(c);
        int end = head[c];
        return start < end ? new int[] {start, end} : new int[] {0, end, start, perClass};
    }

    /** Whether entries i and j hold the same raw features (bit for bit). */
    public boolean sameRaw(int i, int j) {
        int from = (i % perClass) * p;
        int to = (j % perClass) * p;
        return Arrays.equals(raws.get(i / perClass), from, from + p, raws.get(j / perClass), to, to + p);
    }

    public int label(int index) {
        return index / perClass;
    }

    public long timestamp(int index) {
        return times.get(index / perClass)[index % perClass];
    }

    /** Copies the entry's raw features into out and returns it. */
    public double[] raw(int index, double[] out) {
        System.arraycopy(raws.get(index / perClass), (index % perClass) * p, out, 0, p);
        return out;
    }

    /** Copies the entry's preprocessed features into out and returns it. */
    public double[] x(int index, double[] out) {
        System.arraycopy(xRows.get(index / perClass), (index % perClass) * p, out, 0, p);
        return out;
    }

    /** Copies the entry's L x (under the metric of the last refresh) into out and returns it. */
    public double[] lx(int index, double[] out) {
        current(index / perClass, index % perClass);
        System.arraycopy(lxRows.get(index / perClass), (index % perClass) * q, out, 0, q);
        return out;
    }

    /** Brings one entry's L x up to the last transform: the same sums in the same order as the whole pass. */
    private void current(int c, int s) {
        int[] stamp = stamps.get(c);
        if (stamp[s] == version) {
            return;
        }
        System.arraycopy(xRows.get(c), s * p, row, 0, p);
        LinearAlgebra.multiply(l, q, p, row, lxScratch);
        System.arraycopy(lxScratch, 0, lxRows.get(c), s * q, q);
        double[][] columns = lxs.get(c);
        for (int r = 0; r < q; r++) {
            columns[r][s] = lxScratch[r];
        }
        stamp[s] = version;
    }

    /**
     * Brings every entry's L x up to the last transform (a no-op until the next one): column by column over the
     * slots, which vectorises, rather than entry by entry.
     */
    private void allCurrent() {
        if (allCurrent) {
            return;
        }
        for (int c = 0; c < count.length; c++) {
            double[][] x = xs.get(c);
            double[][] lx = lxs.get(c);
            double[] rows = lxRows.get(c);
            int[] stamp = stamps.get(c);
            int[] ranges = occupied(c);
            for (int g = 0; g < ranges.length; g += 2) {
                int from = ranges[g];
                int to = ranges[g + 1];
                for (int r = 0; r < q; r++) {
                    LinearAlgebra.combine(x, l, r * p, lx[r], from, to);
                }
                for (int s = from; s < to; s++) {
                    for (int r = 0; r < q; r++) {
                        rows[s * q + r] = lx[r][s];
                    }
                    stamp[s] = version;
                }
            }
        }
        allCurrent = true;
    }

    /** Re-preprocesses every entry with the given statistics; {@link #transform} must follow. */
    public void refresh(Standardizer standardizer) {
        for (int c = 0; c < count.length; c++) {
            double[] raw = raws.get(c);
            double[][] x = xs.get(c);
            double[] rows = xRows.get(c);
            int[] ranges = occupied(c);
            for (int g = 0; g < ranges.length; g += 2) {
                for (int s = ranges[g]; s < ranges[g + 1]; s++) {
                    System.arraycopy(raw, s * p, row, 0, p);
                    standardizer.apply(row, row);
                    System.arraycopy(row, 0, rows, s * p, p);
                    for (int f = 0; f < p; f++) {
                        x[f][s] = row[f];
                    }
                }
            }
        }
    }

    /**
     * Re-transforms every entry's preprocessed form with L (q x p, row-major, copied): lazily, each entry when it
     * is next read ({@link #lx}, {@link #entries}) or before the next distance pass.
     */
    public void transform(double[] l) {
        if (l.length != q * p) {
            throw new IllegalArgumentException("L has " + l.length + " entries, expected " + q * p);
        }
        System.arraycopy(l, 0, this.l, 0, l.length);
        version++;
        allCurrent = false;
    }

    /**
     * Squared transformed distances |lx - L x_e|^2 to every slot, into a buffer owned by the window,
     * {@code [class][slot]} (unoccupied slots hold meaningless values). The buffer stays valid for the
     * selections ({@link #selectTriplets}, {@link #selectTiers}) until the next call.
     */
    public double[][] distances(double[] lx) {
        allCurrent();
        dist = squaredDistances(lx, lxs, q, dist);
        return dist;
    }

    /** Squared distances |x - x_e|^2 of preprocessed features, like {@link #distances} but in a buffer of their own. */
    public double[][] preprocessedDistances(double[] x) {
        xdist = squaredDistances(x, xs, p, xdist);
        return xdist;
    }

    private double[][] squaredDistances(double[] v, List<double[][]> columns, int rows, double[][] buffer) {
        double[][] dist = buffer;
        if (dist.length < columns.size()) {
            dist = Arrays.copyOf(buffer, columns.size());
            for (int c = buffer.length; c < dist.length; c++) {
                dist[c] = new double[perClass];
            }
        }
        for (int c = 0; c < columns.size(); c++) {
            double[][] col = columns.get(c);
            double[] d = dist[c];
            // Only the slots from the first to the last occupied one: a class that has not filled its ring (early
            // on, after a drift, or in a deep vote memory) costs its entries, not its capacity.
            int start = tail(c);
            boolean wraps = count[c] > 0 && start >= head[c];
            int from = wraps ? 0 : start;
            int to = wraps ? perClass : head[c];
            // Four features per pass over the slots (fewer loads and stores of d), summed in feature order; the
            // first pass assigns, as 0 + a == a exactly for a square a.
            int r = 0;
            if (rows < 4) {
                Arrays.fill(d, from, to, 0);
            } else {
                double[] in0 = col[0];
                double[] in1 = col[1];
                double[] in2 = col[2];
                double[] in3 = col[3];
                double v0 = v[0];
                double v1 = v[1];
                double v2 = v[2];
                double v3 = v[3];
                for (int s = from; s < to; s++) {
                    double f0 = v0 - in0[s];
                    double f1 = v1 - in1[s];
                    double f2 = v2 - in2[s];
                    double f3 = v3 - in3[s];
                    d[s] = f0 * f0 + f1 * f1 + f2 * f2 + f3 * f3;
                }
                r = 4;
            }
            for (; r + 3 < rows; r += 4) {
                double v0 = v[r];
                double v1 = v[r + 1];
                double v2 = v[r + 2];
                double v3 = v[r + 3];
                double[] in0 = col[r];
                double[] in1 = col[r + 1];
                double[] in2 = col[r + 2];
                double[] in3 = col[r + 3];
                for (int s = from; s < to; s++) {
                    double f0 = v0 - in0[s];
                    double f1 = v1 - in1[s];
                    double f2 = v2 - in2[s];
                    double f3 = v3 - in3[s];
                    d[s] = d[s] + f0 * f0 + f1 * f1 + f2 * f2 + f3 * f3;
                }
            }
            for (; r < rows; r++) {
                double vr = v[r];
                double[] in = col[r];
                for (int s = from; s < to; s++) {
                    double f = vr - in[s];
                    d[s] += f * f;
                }
            }
        }
        return dist;
    }

    /**
     * The two selections of a training step in one pass over {@code dist}: the k nearest of class {@code label}
     * among its newest {@code ownDepth} entries but any at distance zero ({@code same}: the targets; a copy of the
     * anchor, as a replayed event is, teaches nothing and would let the pull term vanish) and the m nearest of the
     * other classes' newest {@code depth} entries ({@code other}: the impostors), as entry indices with their
     * distances, nearest first, ordered by (distance, index). Their counts go to {@code found[0..1]}.
     */
    public void selectTriplets(double[][] dist, int label, int ownDepth, int depth, int k, int m, int[] same,
                               double[] sameD, int[] other, double[] otherD, int[] found) {
        Arrays.fill(sameD, 0, k, Double.POSITIVE_INFINITY);
        Arrays.fill(otherD, 0, m, Double.POSITIVE_INFINITY);
        int nSame = 0;
        int nOther = 0;
        // The anchor's own class first: its entries are mostly the nearest.
        if (label >= 0 && label < count.length) {
            nSame = offerAges(dist[label], label, 0, ownDepth, k, same, sameD, nSame, true);
        }
        for (int c = 0; c < count.length; c++) {
            if (c != label) {
                nOther = offerAges(dist[c], c, 0, depth, m, other, otherD, nOther, false);
            }
        }
        found[0] = nSame;
        found[1] = nOther;
    }

    /**
     * Offers class c's entries of ages [fromAge, toAge) (0 = newest; skipping distance zero if asked) to a list of n
     * places holding {@code found}; returns its new count. The ages are at most two ascending runs of slots, from
     * the oldest one, which the loop walks without the ring's wrap-around test.
     */
    private int offerAges(double[] dc, int c, int fromAge, int toAge, int n, int[] best, double[] bestD, int found,
                          boolean skipZero) {
        int to = Math.min(toAge, count[c]);
        if (to <= fromAge) {
            return found;
        }
        int start = Math.floorMod(head[c] - to, perClass);
        int end = start + (to - fromAge);
        found = offer(dc, c, start, Math.min(end, perClass), n, best, bestD, found, skipZero);
        if (end > perClass) {
            found = offer(dc, c, 0, end - perClass, n, best, bestD, found, skipZero);
        }
        return found;
    }

    /** The index of class c's entry of this age (0 = newest; age below the class's count). */
    public int indexOfAge(int c, int age) {
        return c * perClass + Math.floorMod(head[c] - 1 - age, perClass);
    }

    /** How many entries of its class are newer than this one. */
    public int age(int index) {
        int c = index / perClass;
        return Math.floorMod(head[c] - 1 - index % perClass, perClass);
    }

    /**
     * The n nearest entries of every tier in one pass over {@code dist}, where tier t holds each class's newest
     * {@code depths[t]} entries (depths ascending): into {@code best[t]} with distances in {@code bestD[t]}, nearest
     * first and ordered by (distance, index) as {@link #selectTriplets} orders them, with their counts in
     * {@code found[t]}. Tier t's list is tier t - 1's joined by the band of ages the shallower tier lacks, so every
     * entry is offered to one list only, and each list starts from the nearest entries of the tiers before it,
     * which rejects most of its band at one comparison.
     */
    public void selectTiers(double[][] dist, int[] depths, int n, int[][] best, double[][] bestD, int[] found) {
        for (int t = 0; t < depths.length; t++) {
            if (t == 0) {
                Arrays.fill(bestD[0], 0, n, Double.POSITIVE_INFINITY);
                found[0] = 0;
            } else {
                System.arraycopy(best[t - 1], 0, best[t], 0, n);
                System.arraycopy(bestD[t - 1], 0, bestD[t], 0, n);
                found[t] = found[t - 1];
            }
            int from = t == 0 ? 0 : depths[t - 1];
            for (int c = 0; c < count.length; c++) {
                found[t] = offerAges(dist[c], c, from, depths[t], n, best[t], bestD[t], found[t], false);
            }
        }
    }

    /**
     * Offers slots [from, to) of class c (but those at distance zero with {@code skipZero}) to a list of n places
     * holding {@code found}; returns its new count.
     */
    private int offer(double[] dc, int c, int from, int to, int n, int[] best, double[] bestD, int found,
                      boolean skipZero) {
        double limit = bestD[n - 1];
        for (int s = from; s < to; s++) {
            double d = dc[s];
            if (d > limit || d == Double.POSITIVE_INFINITY || (skipZero && d == 0)) {
                continue;
            }
            int index = c * perClass + s;
            if (before(d, index, limit, best[n - 1])) {
                insert(best, bestD, n, index, d);
                found = Math.min(found + 1, n);
                limit = bestD[n - 1];
            }
        }
        return found;
    }

    /** Whether (d, index) comes before the place (placeD, placeIndex); an unfilled place (+infinity) comes last. */
    private static boolean before(double d, int index, double placeD, int placeIndex) {
        return d < placeD || (d == placeD && index < placeIndex);
    }

    /**
     * The {@code count} nearest entries by {@code dist}, skipping those whose {@code skip} distance is zero
     * (copies of the query), into {@code best} in index order (of equal distances, the earlier indices); returns
     * how many were found. O(window): the count-th smallest distance is found by selection, not by keeping a
     * sorted list.
     */
    public int nearest(double[][] dist, double[][] skip, int count, int[] best, double[] bestD) {
        if (candidates.length < size) {
            candidates = new double[size];
        }
        int n = 0;
        for (int c = 0; c < this.count.length; c++) {
            int[] ranges = occupied(c);
            double[] dc = dist[c];
            double[] sc = skip[c];
            for (int g = 0; g < ranges.length; g += 2) {
                for (int s = ranges[g]; s < ranges[g + 1]; s++) {
                    if (sc[s] > 0) {
                        candidates[n++] = dc[s];
                    }
                }
            }
        }
        double threshold = n <= count ? Double.POSITIVE_INFINITY : select(candidates, n, count - 1);
        int found = 0;
        int ties = n <= count ? 0 : count - countBelow(candidates, n, threshold);
        for (int c = 0; c < this.count.length && found < count; c++) {
            int[] ranges = occupied(c);
            double[] dc = dist[c];
            double[] sc = skip[c];
            for (int g = 0; g < ranges.length && found < count; g += 2) {
                for (int s = ranges[g], index = c * perClass + s; s < ranges[g + 1] && found < count; s++, index++) {
                    double d = dc[s];
                    if (sc[s] > 0 && (d < threshold || (d == threshold && ties-- > 0))) {
                        best[found] = index;
                        bestD[found++] = d;
                    }
                }
            }
        }
        return found;
    }

    private static int countBelow(double[] values, int n, double threshold) {
        int below = 0;
        for (int i = 0; i < n; i++) {
            if (values[i] < threshold) {
                below++;
            }
        }
        return below;
    }

    /** The rank-th smallest of values[0..n) (0-based), reordering them (Hoare's quickselect, middle pivot). */
    private static double select(double[] values, int n, int rank) {
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            double pivot = values[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (values[i] < pivot) {
                    i++;
                }
                while (values[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    double t = values[i];
                    values[i++] = values[j];
                    values[j--] = t;
                }
            }
            if (rank <= j) {
                hi = j;
            } else if (rank >= i) {
                lo = i;
            } else {
                return values[rank];
            }
        }
        return values[rank];
    }

    /** Inserts (index, d), before the last place, into the list of {@code count} places sorted by (d, index). */
    private static void insert(int[] best, double[] bestD, int count, int index, double d) {
        int i = count - 1;
        while (i > 0 && (bestD[i - 1] > d || (bestD[i - 1] == d && best[i - 1] > index))) {
            bestD[i] = bestD[i - 1];
            best[i] = best[i - 1];
            i--;
        }
        bestD[i] = d;
        best[i] = index;
    }
}
