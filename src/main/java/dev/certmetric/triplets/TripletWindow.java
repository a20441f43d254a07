package dev.certmetric.triplets;

import dev.certmetric.metric.LinearAlgebra;
import dev.certmetric.preprocess.Standardizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

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
        for (Entry[] ring : rings) {
            for (Entry e : ring) {
                if (e == null) {
                    continue;
                }
                standardizer.apply(e.raw, e.x);
                if (e.lx.length != q) {
                    e.lx = new double[q];
                }
                LinearAlgebra.multiply(l, q, e.x.length, e.x, e.lx);
            }
        }
    }

    /**
     * The (at most) count entries nearest to {@code lx} in transformed space among those whose label
     * passes the filter, excluding {@code self}; nearest first.
     */
    public Entry[] nearest(double[] lx, int count, IntPredicate labelFilter, Entry self) {
        Entry[] best = new Entry[count];
        double[] bestD = new double[count];
        int found = 0;
        for (int c = 0; c < rings.size(); c++) {
            if (!labelFilter.test(c)) {
                continue;
            }
            for (Entry e : rings.get(c)) {
                if (e == null || e == self) {
                    continue;
                }
                double d = LinearAlgebra.squaredDistance(lx, e.lx);
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
        return found == count ? best : java.util.Arrays.copyOf(best, found);
    }
}
