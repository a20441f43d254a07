package dev.certmetric.triplets;

import dev.certmetric.metric.LinearAlgebra;
import dev.certmetric.preprocess.Standardizer;

import java.util.ArrayList;
import java.util.List;

/**
 * A sliding window of recent labelled events, bounded per class by count and optionally by event
 * time, from which a streaming learner draws targets and impostors.
 *
 * <p>Each entry keeps the raw vector (the source of truth, checkpointed), its preprocessed form and
 * its transform L x under the current metric. The last two are caches that {@link #refresh} rebuilds
 * after every gradient step, so between steps a distance costs O(q). Mutable, not thread-safe.
 */
public final class TripletWindow {
    /** One event in the window. */
    public static final class Entry {
        final int label;
        final long timestamp;
        final double[] raw;
        final double[] x;
        double[] lx;

        Entry(int label, long timestamp, double[] raw, double[] x, double[] lx) {
            this.label = label;
            this.timestamp = timestamp;
            this.raw = raw;
            this.x = x;
            this.lx = lx;
        }

        public int label() {
            return label;
        }

        public long timestamp() {
            return timestamp;
        }

        /** Raw features (do not modify). */
        public double[] raw() {
            return raw;
        }

        /** Preprocessed features (do not modify). */
        public double[] x() {
            return x;
        }

        /** L x under the metric of the last refresh (do not modify). */
        public double[] lx() {
            return lx;
        }
    }

    private final int perClass;
    private final long maxAgeMillis;
    private final List<Entry[]> rings = new ArrayList<>();
    private final List<int[]> heads = new ArrayList<>(); // {next write slot, size}
    private int size;
    private double[] dist = new double[0];

    public TripletWindow(int perClass, long maxAgeMillis) {
        if (perClass < 1) {
            throw new IllegalArgumentException("window per class must be >= 1");
        }
        this.perClass = perClass;
        this.maxAgeMillis = maxAgeMillis;
    }

    public int size() {
        return size;
    }

    public int classes() {
        return rings.size();
    }

    /** Adds an event, evicting its class's oldest if the class is full; returns the new entry. */
    public Entry add(int label, long timestamp, double[] raw, double[] x, double[] lx) {
        while (rings.size() <= label) {
            rings.add(new Entry[perClass]);
            heads.add(new int[2]);
        }
        Entry[] ring = rings.get(label);
        int[] head = heads.get(label);
        Entry entry = new Entry(label, timestamp, raw, x, lx);
        if (head[1] == perClass) {
            size--;
        } else {
            head[1]++;
        }
        ring[head[0]] = entry;
        head[0] = (head[0] + 1) % perClass;
        size++;
        return entry;
    }

    /** Drops entries older than {@code now - maxAgeMillis} (no-op without a time bound). */
    public void evictExpired(long now) {
        if (maxAgeMillis <= 0) {
            return;
        }
        long oldest = now - maxAgeMillis;
        for (int c = 0; c < rings.size(); c++) {
            Entry[] ring = rings.get(c);
            int[] head = heads.get(c);
            while (head[1] > 0) {
                int tail = Math.floorMod(head[0] - head[1], perClass);
                if (ring[tail].timestamp >= oldest) {
                    break;
                }
                ring[tail] = null;
                head[1]--;
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
        for (int c = 0; c < rings.size(); c++) {
            Entry[] ring = rings.get(c);
            int[] head = heads.get(c);
            while (head[1] > kept) {
                int tail = Math.floorMod(head[0] - head[1], perClass);
                ring[tail] = null;
                head[1]--;
                size--;
                dropped++;
            }
        }
        return dropped;
    }

    /** All entries, each class oldest first. */
    public List<Entry> entries() {
        List<Entry> all = new ArrayList<>(size);
        for (int c = 0; c < rings.size(); c++) {
            Entry[] ring = rings.get(c);
            int[] head = heads.get(c);
            for (int s = head[1]; s > 0; s--) {
                all.add(ring[Math.floorMod(head[0] - s, perClass)]);
            }
        }
        return all;
    }

    /** Re-preprocesses every entry with the current statistics and re-transforms it with L. */
    public void refresh(Standardizer standardizer, double[] l, int q) {
        int p = l.length / Math.max(1, q);
        for (Entry[] ring : rings) {
            for (Entry e : ring) {
                if (e == null) {
                    continue;
                }
                standardizer.apply(e.raw, e.x);
                if (e.lx.length != q) {
                    e.lx = new double[q];
                }
                // Same sums in the same order as LinearAlgebra.multiply (bitwise equal), with more ILP.
                LinearAlgebra.multiply(l, q, p, e.x, e.lx);
            }
        }
    }

    /** The ring slot the next {@link #add} of this class writes (its evicted entry's), or -1 for a new class. */
    public int nextSlot(int label) {
        return label < heads.size() ? heads.get(label)[0] : -1;
    }

    /**
     * Squared transformed distances from {@code lx} to every occupied slot, into a buffer owned by the
     * window (index {@code class * perClass + slot}; unoccupied slots are left stale). The buffer stays
     * valid for {@link #selectAll} until the next call, as long as no class is added.
     */
    public double[] distances(double[] lx) {
        int need = rings.size() * perClass;
        if (dist.length < need) {
            dist = new double[need];
        }
        int q = lx.length;
        for (int c = 0; c < rings.size(); c++) {
            Entry[] ring = rings.get(c);
            int base = c * perClass;
            int s = 0;
            // Four entries at a time (four independent sums in flight), each summed in the usual order.
            for (; s + 3 < perClass; s += 4) {
                Entry e0 = ring[s];
                Entry e1 = ring[s + 1];
                Entry e2 = ring[s + 2];
                Entry e3 = ring[s + 3];
                if (e0 == null || e1 == null || e2 == null || e3 == null) {
                    for (int t = s; t < s + 4; t++) {
                        if (ring[t] != null) {
                            dist[base + t] = LinearAlgebra.squaredDistance(lx, ring[t].lx);
                        }
                    }
                    continue;
                }
                double[] o0 = e0.lx;
                double[] o1 = e1.lx;
                double[] o2 = e2.lx;
                double[] o3 = e3.lx;
                double d0 = 0;
                double d1 = 0;
                double d2 = 0;
                double d3 = 0;
                for (int r = 0; r < q; r++) {
                    double v = lx[r];
                    double f0 = v - o0[r];
                    double f1 = v - o1[r];
                    double f2 = v - o2[r];
                    double f3 = v - o3[r];
                    d0 += f0 * f0;
                    d1 += f1 * f1;
                    d2 += f2 * f2;
                    d3 += f3 * f3;
                }
                dist[base + s] = d0;
                dist[base + s + 1] = d1;
                dist[base + s + 2] = d2;
                dist[base + s + 3] = d3;
            }
            for (; s < perClass; s++) {
                if (ring[s] != null) {
                    dist[base + s] = LinearAlgebra.squaredDistance(lx, ring[s].lx);
                }
            }
        }
        return dist;
    }

    /**
     * The three selections of a test-then-train step in one pass over {@code dist}: the k nearest of
     * all classes ({@code all}), the k nearest of class {@code label} but slot {@code skipSlot} and
     * any at distance zero ({@code same}: the targets; a copy of the anchor, as a replayed event is,
     * teaches nothing and would let the pull term vanish) and the m nearest of the other classes
     * ({@code other}). Ties go to the earlier class and slot. Their counts go to {@code found[0..2]}.
     */
    public void selectAll(double[] dist, int label, int skipSlot, int k, int m, Entry[] all, double[] allD,
                          Entry[] same, double[] sameD, Entry[] other, double[] otherD, int[] found) {
        int nAll = 0;
        int nSame = 0;
        int nOther = 0;
        for (int c = 0; c < rings.size(); c++) {
            Entry[] ring = rings.get(c);
            int base = c * perClass;
            boolean own = c == label;
            for (int s = 0; s < perClass; s++) {
                Entry e = ring[s];
                if (e == null) {
                    continue;
                }
                double d = dist[base + s];
                if (nAll < k || d < allD[k - 1]) {
                    nAll = insert(all, allD, k, nAll, e, d);
                }
                if (own) {
                    if (s != skipSlot && d > 0 && (nSame < k || d < sameD[k - 1])) {
                        nSame = insert(same, sameD, k, nSame, e, d);
                    }
                } else if (nOther < m || d < otherD[m - 1]) {
                    nOther = insert(other, otherD, m, nOther, e, d);
                }
            }
        }
        found[0] = nAll;
        found[1] = nSame;
        found[2] = nOther;
    }

    /** Inserts (e, d) into the sorted best list of capacity count holding found; returns the new size. */
    private static int insert(Entry[] best, double[] bestD, int count, int found, Entry e, double d) {
        if (found < count) {
            found++;
        }
        int i = found - 1;
        while (i > 0 && bestD[i - 1] > d) {
            bestD[i] = bestD[i - 1];
            best[i] = best[i - 1];
            i--;
        }
        bestD[i] = d;
        best[i] = e;
        return found;
    }

    /** Class c's ring buffer, slot order (for the selection test's reference implementation). */
    Entry[] ring(int c) {
        return rings.get(c);
    }
}
