package dev.certmetric.memory;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A class-balanced uniform sample of a labelled stream: per class, up to {@code capacity} of the events seen
 * since the last {@link #restart}, every one of them kept with the same probability (reservoir sampling,
 * Algorithm R). It costs O(p) per event whatever its size, and its random choices come from a seeded generator
 * whose state is part of the checkpoint, so a restored reservoir continues exactly as the uninterrupted one.
 *
 * <p>Data-parallel workers each sample their share; {@link #merge} combines their samples into one uniform
 * sample of the union, exactly (a draw picks a share with probability proportional to its unsampled events).
 *
 * <p>Mutable and single-threaded. Rows are the raw (not preprocessed) features, copied in.
 */
public final class ExemplarReservoir {
    private static final int MAGIC = 0x434d5852; // "CMXR"
    private static final int FORMAT = 1;
    /** Largest capacity per class (the config key's bound). */
    public static final int MAX_CAPACITY = 100_000;

    /** One kept event. */
    public record Entry(long timestamp, double[] raw) {
    }

    private int capacity;
    private final int p;
    private long random;
    /** The learner's drift count when sampling (re)started: a different one restarts it. */
    private long epoch;
    private final Map<String, ClassSample> classes = new LinkedHashMap<>();

    /** One class's sample: rows [slot * p + f] and their event times, the first {@code size} slots used. */
    private static final class ClassSample {
        long seen;
        int size;
        double[] rows = new double[0];
        long[] timestamps = new long[0];

        /** Room for {@code slots} rows, growing by doubling up to {@code capacity}. */
        void ensure(int slots, int capacity, int p) {
            if (timestamps.length < slots) {
                int grown = Math.min(capacity, Math.max(slots, Math.max(16, 2 * timestamps.length)));
                if ((long) grown * p > Integer.MAX_VALUE - 8) {
                    throw new IllegalStateException(grown + " rows of " + p + " features do not fit one array");
                }
                timestamps = Arrays.copyOf(timestamps, grown);
                rows = Arrays.copyOf(rows, grown * p);
            }
        }
    }

    /**
     * @param capacity events kept per class, 0 = none (every call is then a no-op)
     * @param p        features per event
     * @param seed     seed of the sampling's random choices
     */
    public ExemplarReservoir(int capacity, int p, long seed) {
        if (capacity < 0 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be in [0, " + MAX_CAPACITY + "], got " + capacity);
        }
        if (p < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + p);
        }
        this.capacity = capacity;
        this.p = p;
        this.random = seed;
    }

    public int capacity() {
        return capacity;
    }

    public int dimension() {
        return p;
    }

    /**
     * Offers one event. {@code epoch} is the learner's drift count: when it differs from the last event's,
     * the stream has changed and the sample restarts with this event, as the window keeps only the events
     * since the change.
     */
    public void add(String label, long timestamp, double[] raw, long epoch) {
        if (epoch != this.epoch) {
            restart(epoch);
        }
        if (capacity == 0) {
            return;
        }
        if (raw.length != p) {
            throw new IllegalArgumentException("expected " + p + " features, got " + raw.length);
        }
        ClassSample c = classes.get(label);
        if (c == null) {
            c = new ClassSample();
            classes.put(label, c);
        }
        c.seen++;
        int slot;
        if (c.size < capacity) {
            slot = c.size++;
            c.ensure(c.size, capacity, p);
        } else {
            long j = below(c.seen);
            if (j >= capacity) {
                return;
            }
            slot = (int) j;
        }
        System.arraycopy(raw, 0, c.rows, slot * p, p);
        c.timestamps[slot] = timestamp;
    }

    /** Forgets every event and starts sampling afresh at this epoch. */
    public void restart(long epoch) {
        classes.clear();
        this.epoch = epoch;
    }

    /**
     * Changes the capacity (a restored reservoir under a changed configuration): a smaller one keeps a uniform
     * subsample of each class; a larger one keeps every row and fills the new room with the next events, so the
     * sample leans towards them until it has turned over.
     */
    public void resize(int newCapacity) {
        if (newCapacity < 0 || newCapacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be in [0, " + MAX_CAPACITY + "], got " + newCapacity);
        }
        for (ClassSample c : classes.values()) {
            if (c.size > newCapacity) {
                // Partial Fisher-Yates: the first newCapacity slots become a uniform subset.
                double[] row = new double[p];
                for (int i = 0; i < newCapacity; i++) {
                    int j = i + (int) below(c.size - i);
                    swap(c, i, j, row);
                }
                c.size = newCapacity;
            }
        }
        capacity = newCapacity;
    }

    private void swap(ClassSample c, int i, int j, double[] row) {
        System.arraycopy(c.rows, i * p, row, 0, p);
        System.arraycopy(c.rows, j * p, c.rows, i * p, p);
        System.arraycopy(row, 0, c.rows, j * p, p);
        long t = c.timestamps[i];
        c.timestamps[i] = c.timestamps[j];
        c.timestamps[j] = t;
    }

    /** The classes sampled so far, in order of their first event. */
    public List<String> labels() {
        return List.copyOf(classes.keySet());
    }

    /** Events of this class offered since the last restart. */
    public long seen(String label) {
        ClassSample c = classes.get(label);
        return c == null ? 0 : c.seen;
    }

    /** The kept events of one class (copies), in slot order; empty for an unknown class. */
    public List<Entry> entries(String label) {
        ClassSample c = classes.get(label);
        if (c == null) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>(c.size);
        for (int s = 0; s < c.size; s++) {
            out.add(new Entry(c.timestamps[s], Arrays.copyOfRange(c.rows, s * p, (s + 1) * p)));
        }
        return out;
    }

    /** Rows kept over all classes. */
    public int size() {
        int n = 0;
        for (ClassSample c : classes.values()) {
            n += c.size;
        }
        return n;
    }

    /**
     * One uniform sample of the union of the parts' streams (disjoint shares of one stream, all of dimension p):
     * per class, up to the largest capacity among the parts, drawn without replacement, each draw from a part
     * with probability proportional to its events not yet drawn. A part's sample is a uniform subset of its
     * share, so this is a uniform subset of the union. Deterministic given the parts and {@code seed}.
     */
    public static ExemplarReservoir merge(List<ExemplarReservoir> parts, long seed) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge");
        }
        int p = parts.get(0).p;
        int capacity = 0;
        for (ExemplarReservoir r : parts) {
            if (r.p != p) {
                throw new IllegalArgumentException("reservoirs of dimension " + p + " and " + r.p);
            }
            capacity = Math.max(capacity, r.capacity);
        }
        ExemplarReservoir merged = new ExemplarReservoir(capacity, p, seed);
        for (ExemplarReservoir r : parts) {
            for (String label : r.classes.keySet()) {
                if (!merged.classes.containsKey(label)) {
                    merged.classes.put(label, merged.mergeClass(parts, label));
                }
            }
        }
        return merged;
    }

    private ClassSample mergeClass(List<ExemplarReservoir> parts, String label) {
        int n = parts.size();
        long[] unsampled = new long[n];
        int[][] order = new int[n][];
        int[] taken = new int[n];
        long total = 0;
        ClassSample[] samples = new ClassSample[n];
        for (int i = 0; i < n; i++) {
            samples[i] = parts.get(i).classes.get(label);
            if (samples[i] != null) {
                unsampled[i] = samples[i].seen;
                total += samples[i].seen;
                order[i] = new int[samples[i].size];
                Arrays.setAll(order[i], s -> s);
            }
        }
        ClassSample out = new ClassSample();
        out.seen = total;
        int size = (int) Math.min(capacity, total);
        out.ensure(size, size, p);
        for (int t = 0; t < size; t++) {
            long r = below(total);
            int i = 0;
            while (r >= unsampled[i]) {
                r -= unsampled[i];
                i++;
            }
            // A uniformly chosen slot of part i not yet taken (partial Fisher-Yates over its slot order).
            int k = taken[i] + (int) below(order[i].length - taken[i]);
            int slot = order[i][k];
            order[i][k] = order[i][taken[i]];
            order[i][taken[i]] = slot;
            taken[i]++;
            unsampled[i]--;
            total--;
            System.arraycopy(samples[i].rows, slot * p, out.rows, t * p, p);
            out.timestamps[t] = samples[i].timestamps[slot];
        }
        out.size = size;
        return out;
    }

    /** A uniform long in [0, bound), from the SplitMix64 sequence of the checkpointed state. */
    private long below(long bound) {
        long bits;
        long value;
        do {
            random += 0x9E3779B97F4A7C15L;
            long z = random;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            bits = (z ^ (z >>> 31)) >>> 1;
            value = bits % bound;
        } while (bits - value + (bound - 1) < 0); // reject the incomplete last block: no modulo bias
        return value;
    }

    /** Writes the whole state: capacity, dimension, generator, epoch, and every class's count and rows. */
    public static void write(ExemplarReservoir r, DataOutput out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(FORMAT);
        out.writeInt(r.capacity);
        out.writeInt(r.p);
        out.writeLong(r.random);
        out.writeLong(r.epoch);
        out.writeInt(r.classes.size());
        for (Map.Entry<String, ClassSample> e : r.classes.entrySet()) {
            ClassSample c = e.getValue();
            out.writeUTF(e.getKey());
            out.writeLong(c.seen);
            out.writeInt(c.size);
            // In bulk: a per-value writeDouble costs more than the rest of a worker's state at thousands of rows.
            ByteBuffer b = ByteBuffer.allocate(c.size * (8 + 8 * r.p));
            b.asLongBuffer().put(c.timestamps, 0, c.size);
            b.position(c.size * 8);
            b.asDoubleBuffer().put(c.rows, 0, c.size * r.p);
            out.write(b.array());
        }
    }

    public static ExemplarReservoir read(DataInput in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("not a certmetric exemplar reservoir");
        }
        int format = in.readInt();
        if (format != FORMAT) {
            throw new IOException("exemplar reservoir format " + format + " is not supported (supported: " + FORMAT + ")");
        }
        int capacity = in.readInt();
        int p = in.readInt();
        ExemplarReservoir r;
        try {
            r = new ExemplarReservoir(capacity, p, in.readLong());
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt exemplar reservoir: " + e.getMessage(), e);
        }
        r.epoch = in.readLong();
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("corrupt exemplar reservoir: " + n + " classes");
        }
        for (int i = 0; i < n; i++) {
            String label = in.readUTF();
            ClassSample c = new ClassSample();
            c.seen = in.readLong();
            c.size = in.readInt();
            if (c.size < 0 || c.size > capacity || c.seen < c.size || (long) c.size * p > 100_000_000) {
                throw new IOException("corrupt exemplar reservoir: class '" + label + "' holds " + c.size + " of "
                        + c.seen + " events at capacity " + capacity);
            }
            byte[] bytes = new byte[c.size * (8 + 8 * p)];
            in.readFully(bytes);
            ByteBuffer b = ByteBuffer.wrap(bytes);
            c.timestamps = new long[c.size];
            c.rows = new double[c.size * p];
            b.asLongBuffer().get(c.timestamps);
            b.position(c.size * 8);
            b.asDoubleBuffer().get(c.rows);
            if (r.classes.put(Objects.requireNonNull(label), c) != null) {
                throw new IOException("corrupt exemplar reservoir: class '" + label + "' twice");
            }
        }
        return r;
    }

    @Override
    public String toString() {
        return "ExemplarReservoir[capacity " + capacity + ", p " + p + ", " + size() + " rows in "
                + classes.size() + " classes]";
    }
}
