package dev.certmetric.memory;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A class-balanced uniform sample of the distinct rows of a labelled stream: per class, of the rows seen since the
 * last {@link #restart}, the {@code capacity} whose seeded 64-bit hash (the row's priority) is smallest (bottom-k
 * sampling). Every distinct row is kept with the same probability however often it repeats, and a class with at
 * most {@code capacity} distinct rows is kept whole: a stream that replays a training set keeps every row of it,
 * where a sample of events would keep repeats and miss rows. The sample depends on the set of rows seen, not on
 * their order or on any random state, so a restored reservoir continues exactly as the uninterrupted one, and
 * two runs over the same rows keep the same sample. A kept row's time is that of its latest occurrence.
 *
 * <p>Data-parallel workers each sample their share with the same hash; {@link #merge} combines their samples into
 * exactly the sample of the union: the bottom {@code capacity} of the union are among the parts' bottom
 * {@code capacity}.
 *
 * <p>Rows are told apart by their priority: two distinct rows with the same 64-bit hash (about one pair in 10^9
 * among 100,000 rows) count as one. It costs O(p) per event, and O(log capacity) when a row enters a full class.
 * Mutable and single-threaded. Rows are the raw (not preprocessed) features, copied in.
 */
public final class ExemplarReservoir {
    private static final int MAGIC = 0x434d5852; // "CMXR"
    private static final int FORMAT = 2;
    /** The format of a sample of events (Algorithm R, with a generator's state): read as the distinct rows it kept. */
    private static final int FORMAT_OF_EVENTS = 1;
    /** Largest capacity per class (the config key's bound). */
    public static final int MAX_CAPACITY = 100_000;
    /** The hash every lineage of a model uses, so that their samples merge exactly. */
    public static final long DEFAULT_SEED = 0x6d656d6f7279L;

    /** One kept row and the time of its latest occurrence. */
    public record Entry(long timestamp, double[] raw) {
    }

    private int capacity;
    private final int p;
    private final long seed;
    /** The learner's drift count when sampling (re)started: a different one restarts it. */
    private long epoch;
    private final Map<String, ClassSample> classes = new LinkedHashMap<>();

    /**
     * One class's sample: rows [slot * p + f], their times and priorities in the first {@code size} slots; a max-heap
     * of the slots by priority (its top is the row the next smaller priority replaces); the slot of each priority,
     * built when a row is first offered (a merged sample, which is only read, never needs it).
     */
    private static final class ClassSample {
        long seen;
        int size;
        double[] rows = new double[0];
        long[] timestamps = new long[0];
        long[] priorities = new long[0];
        int[] heap = new int[0];
        private Map<Long, Integer> slots;

        Map<Long, Integer> slots() {
            if (slots == null) {
                slots = new HashMap<>();
                for (int s = 0; s < size; s++) {
                    slots.put(priorities[s], s);
                }
            }
            return slots;
        }

        /** Room for {@code slots} rows, growing by doubling up to {@code capacity}. */
        void ensure(int slots, int capacity, int p) {
            if (timestamps.length < slots) {
                int grown = Math.min(capacity, Math.max(slots, Math.max(16, 2 * timestamps.length)));
                if ((long) grown * p > Integer.MAX_VALUE - 8) {
                    throw new IllegalStateException(grown + " rows of " + p + " features do not fit one array");
                }
                timestamps = Arrays.copyOf(timestamps, grown);
                priorities = Arrays.copyOf(priorities, grown);
                heap = Arrays.copyOf(heap, grown);
                rows = Arrays.copyOf(rows, grown * p);
            }
        }

        /**
         * Offers a row of this priority: a repeat of a kept row moves its time forward; a new row joins while there
         * is room, else replaces the largest priority if its own is smaller.
         */
        void offer(long priority, long timestamp, double[] raw, int offset, int capacity, int p) {
            if (size == capacity && (size == 0 || priority > priorities[heap[0]])) {
                return; // neither kept nor smaller than the largest kept: the common case once a class is full
            }
            Map<Long, Integer> slots = slots();
            Integer kept = slots.get(priority);
            if (kept != null) {
                timestamps[kept] = Math.max(timestamps[kept], timestamp);
                return;
            }
            int slot;
            if (size < capacity) {
                slot = size++;
                ensure(size, capacity, p);
                heap[slot] = slot;
                priorities[slot] = priority;
                siftUp(slot);
            } else { // full, and smaller than the largest kept (a priority equal to it was a repeat)
                slot = heap[0];
                slots.remove(priorities[slot]);
                priorities[slot] = priority;
                siftDown(0);
            }
            slots.put(priority, slot);
            System.arraycopy(raw, offset, rows, slot * p, p);
            timestamps[slot] = timestamp;
        }

        private void siftUp(int i) {
            int slot = heap[i];
            while (i > 0) {
                int parent = (i - 1) / 2;
                if (priorities[heap[parent]] >= priorities[slot]) {
                    break;
                }
                heap[i] = heap[parent];
                i = parent;
            }
            heap[i] = slot;
        }

        private void siftDown(int i) {
            int slot = heap[i];
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && priorities[heap[child + 1]] > priorities[heap[child]]) {
                    child++;
                }
                if (priorities[heap[child]] <= priorities[slot]) {
                    break;
                }
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = slot;
        }
    }

    /** A reservoir with the {@link #DEFAULT_SEED} hash, as every lineage of a model uses. */
    public ExemplarReservoir(int capacity, int p) {
        this(capacity, p, DEFAULT_SEED);
    }

    /**
     * @param capacity rows kept per class, 0 = none (every call is then a no-op)
     * @param p        features per row
     * @param seed     seed of the rows' hash, which decides the sample; reservoirs merge only with the same one
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
        this.seed = seed;
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
        ClassSample c = classes.computeIfAbsent(label, l -> new ClassSample());
        c.seen++;
        c.offer(priority(raw, 0), timestamp, raw, 0, capacity, p);
    }

    /**
     * The row's priority: SplitMix64's finaliser folded over its features' bits (-0.0 taken as 0.0, the same
     * number), from the seed.
     */
    private long priority(double[] rows, int offset) {
        long h = seed;
        for (int f = 0; f < p; f++) {
            h = mix((h + 0x9E3779B97F4A7C15L) ^ Double.doubleToLongBits(rows[offset + f] + 0.0));
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Forgets every row and starts sampling afresh at this epoch. */
    public void restart(long epoch) {
        classes.clear();
        this.epoch = epoch;
    }

    /**
     * Changes the capacity (a restored reservoir under a changed configuration): a smaller one keeps the rows of
     * smallest priority, the sample a reservoir of that capacity would hold; a larger one keeps every row and takes
     * the next new rows while there is room, so the sample leans towards them until it has turned over.
     */
    public void resize(int newCapacity) {
        if (newCapacity < 0 || newCapacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be in [0, " + MAX_CAPACITY + "], got " + newCapacity);
        }
        for (Map.Entry<String, ClassSample> e : classes.entrySet()) {
            if (e.getValue().size > newCapacity) {
                e.setValue(smallest(List.of(e.getValue()), newCapacity, p));
            }
        }
        capacity = newCapacity;
    }

    /** The classes sampled so far, in order of their first event. */
    public List<String> labels() {
        return List.copyOf(classes.keySet());
    }

    /** Events of this class offered since the last restart, repeats included. */
    public long seen(String label) {
        ClassSample c = classes.get(label);
        return c == null ? 0 : c.seen;
    }

    /** The kept rows of one class (copies), in slot order; empty for an unknown class. */
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
     * The sample of the union of the parts' streams (disjoint shares of one stream, all of dimension p and hashed
     * with the same seed): per class, the rows of smallest priority among the parts' kept rows, up to the largest
     * capacity among the parts; exactly what one reservoir of that capacity fed the whole stream would keep.
     */
    public static ExemplarReservoir merge(List<ExemplarReservoir> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge");
        }
        ExemplarReservoir first = parts.get(0);
        int capacity = 0;
        for (ExemplarReservoir r : parts) {
            if (r.p != first.p || r.seed != first.seed) {
                throw new IllegalArgumentException("reservoirs of dimension " + first.p + " and " + r.p
                        + (r.seed != first.seed ? ", hashed with different seeds" : ""));
            }
            capacity = Math.max(capacity, r.capacity);
        }
        ExemplarReservoir merged = new ExemplarReservoir(capacity, first.p, first.seed);
        for (ExemplarReservoir r : parts) {
            for (String label : r.classes.keySet()) {
                if (!merged.classes.containsKey(label)) {
                    List<ClassSample> samples = new ArrayList<>();
                    for (ExemplarReservoir part : parts) {
                        ClassSample c = part.classes.get(label);
                        if (c != null) {
                            samples.add(c);
                        }
                    }
                    merged.classes.put(label, smallest(samples, capacity, first.p));
                }
            }
        }
        return merged;
    }

    /**
     * A class sample of the {@code capacity} smallest priorities among the samples' rows (a row several samples hold
     * counts once, with its latest time), slots in ascending priority, so that any first n slots are a uniform
     * sample of n.
     */
    private static ClassSample smallest(List<ClassSample> samples, int capacity, int p) {
        int m = samples.size();
        long seen = 0;
        long[][] sorted = new long[m][];
        for (int i = 0; i < m; i++) {
            ClassSample c = samples.get(i);
            seen += c.seen;
            sorted[i] = Arrays.copyOf(c.priorities, c.size);
            Arrays.sort(sorted[i]);
        }
        int[] next = new int[m];
        ClassSample out = new ClassSample();
        out.seen = seen;
        while (out.size < capacity) {
            long priority = Long.MAX_VALUE;
            boolean any = false;
            for (int i = 0; i < m; i++) {
                if (next[i] < sorted[i].length && (!any || sorted[i][next[i]] < priority)) {
                    priority = sorted[i][next[i]];
                    any = true;
                }
            }
            if (!any) {
                break;
            }
            ClassSample from = null;
            int slot = -1;
            long time = Long.MIN_VALUE;
            for (int i = 0; i < m; i++) {
                if (next[i] < sorted[i].length && sorted[i][next[i]] == priority) {
                    ClassSample c = samples.get(i);
                    int s = c.slots().get(priority);
                    if (from == null) {
                        from = c;
                        slot = s;
                    }
                    time = Math.max(time, c.timestamps[s]);
                    next[i]++;
                }
            }
            int to = out.size++;
            out.ensure(out.size, capacity, p);
            System.arraycopy(from.rows, slot * p, out.rows, to * p, p);
            out.priorities[to] = priority;
            out.timestamps[to] = time;
        }
        // Ascending priorities read backwards are a max-heap.
        for (int h = 0; h < out.size; h++) {
            out.heap[h] = out.size - 1 - h;
        }
        return out;
    }

    /** Writes the whole state: capacity, dimension, seed, epoch, and every class's count and rows. */
    public static void write(ExemplarReservoir r, DataOutput out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(FORMAT);
        out.writeInt(r.capacity);
        out.writeInt(r.p);
        out.writeLong(r.seed);
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

    /**
     * Reads {@link #write}'s state; the priorities are the rows' hashes again. A sample of events of format 1 is
     * read as the distinct rows it kept, hashed with the {@link #DEFAULT_SEED}: it goes on as a sample of rows.
     */
    public static ExemplarReservoir read(DataInput in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("not a certmetric exemplar reservoir");
        }
        int format = in.readInt();
        if (format != FORMAT && format != FORMAT_OF_EVENTS) {
            throw new IOException("exemplar reservoir format " + format + " is not supported (supported: "
                    + FORMAT_OF_EVENTS + ", " + FORMAT + ")");
        }
        int capacity = in.readInt();
        int p = in.readInt();
        long seed = in.readLong(); // format 1: the generator's state, of no use to a sample of rows
        ExemplarReservoir r;
        try {
            r = new ExemplarReservoir(capacity, p, format == FORMAT ? seed : DEFAULT_SEED);
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
            long seen = in.readLong();
            int size = in.readInt();
            if (size < 0 || size > capacity || seen < size || (long) size * p > 100_000_000) {
                throw new IOException("corrupt exemplar reservoir: class '" + label + "' holds " + size + " of "
                        + seen + " events at capacity " + capacity);
            }
            byte[] bytes = new byte[size * (8 + 8 * p)];
            in.readFully(bytes);
            ByteBuffer b = ByteBuffer.wrap(bytes);
            long[] timestamps = new long[size];
            double[] rows = new double[size * p];
            b.asLongBuffer().get(timestamps);
            b.position(size * 8);
            b.asDoubleBuffer().get(rows);
            ClassSample c = new ClassSample();
            c.seen = seen;
            for (int s = 0; s < size; s++) {
                c.offer(r.priority(rows, s * p), timestamps[s], rows, s * p, capacity, p);
            }
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
