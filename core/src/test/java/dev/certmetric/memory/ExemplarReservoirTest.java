package dev.certmetric.memory;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ExemplarReservoirTest {

    /** Event i of a class is the row {i, class}; its timestamp is i. */
    private static void stream(ExemplarReservoir r, String label, int from, int to) {
        for (int i = from; i < to; i++) {
            r.add(label, i, new double[] {i, label.hashCode()}, 0);
        }
    }

    /** How often each of the events 0..n-1 of class "a" is kept, over many seeds. */
    private static double[] inclusion(int n, int trials, java.util.function.LongFunction<ExemplarReservoir> run) {
        double[] kept = new double[n];
        for (int t = 0; t < trials; t++) {
            for (ExemplarReservoir.Entry e : run.apply(t).entries("a")) {
                kept[(int) e.raw()[0]]++;
            }
        }
        for (int i = 0; i < n; i++) {
            kept[i] /= trials;
        }
        return kept;
    }

    @Test
    void everyEventIsKeptWithTheSameProbabilityPerClass() {
        double[] kept = inclusion(40, 5_000, seed -> {
            ExemplarReservoir r = new ExemplarReservoir(10, 2, seed);
            stream(r, "a", 0, 40);
            stream(r, "b", 0, 5);
            assertEquals(10, r.entries("a").size());
            assertEquals(5, r.entries("b").size());
            assertEquals(40, r.seen("a"));
            return r;
        });
        for (int i = 0; i < kept.length; i++) {
            assertEquals(0.25, kept[i], 0.03, "event " + i);
        }
    }

    @Test
    void mergedSamplesAreTheSampleOfTheWholeStream() {
        // Share one: events 0..299, share two: 300..399 (a quarter of the stream); capacity 80 of 400.
        for (long seed = 0; seed < 20; seed++) {
            ExemplarReservoir one = new ExemplarReservoir(80, 2, seed);
            ExemplarReservoir two = new ExemplarReservoir(80, 2, seed);
            ExemplarReservoir whole = new ExemplarReservoir(80, 2, seed);
            stream(one, "a", 0, 300);
            stream(two, "a", 300, 400);
            stream(whole, "a", 0, 400);
            ExemplarReservoir merged = ExemplarReservoir.merge(List.of(one, two));
            assertEquals(400, merged.seen("a"));
            assertEquals(rows(whole, "a"), rows(merged, "a"));
            // Its rows come smallest hash first, so any first n are the sample of n (what a snapshot that fits fewer
            // takes).
            ExemplarReservoir twenty = new ExemplarReservoir(20, 2, seed);
            stream(twenty, "a", 0, 400);
            assertEquals(rows(twenty, "a"),
                    merged.entries("a").subList(0, 20).stream().map(e -> e.raw()[0]).sorted().toList());
        }
        assertThrows(IllegalArgumentException.class, () -> ExemplarReservoir.merge(
                List.of(new ExemplarReservoir(8, 2, 1), new ExemplarReservoir(8, 2, 2))), "different hashes");
    }

    @Test
    void aSmallStreamIsKeptWhole() {
        ExemplarReservoir one = new ExemplarReservoir(100, 2);
        ExemplarReservoir two = new ExemplarReservoir(100, 2);
        stream(one, "a", 0, 30);
        stream(two, "a", 30, 40);
        List<ExemplarReservoir.Entry> all = ExemplarReservoir.merge(List.of(one, two)).entries("a");
        assertEquals(40, all.size());
        assertEquals(40, all.stream().mapToDouble(e -> e.raw()[0]).distinct().count());
    }

    /**
     * A stream that replays a set of 60 rows many times, in shuffled order: with room for them all, every row is
     * kept once (a sample of events kept about 53 of them, with repeats); with room for 20, the same 20 whatever
     * the order, each row with the same probability over hashes; and a row's time is its latest occurrence.
     */
    @Test
    void aReplayedSetIsKeptWholeOnceAndItsSampleIgnoresTheOrder() {
        java.util.Random rnd = new java.util.Random(7);
        int[] order = new int[60 * 50];
        for (int i = 0; i < order.length; i++) {
            order[i] = i % 60;
        }
        ExemplarReservoir all = new ExemplarReservoir(100, 2);
        ExemplarReservoir some = new ExemplarReservoir(20, 2);
        for (int t = 0; t < order.length; t++) {
            int j = rnd.nextInt(order.length - t) + t;
            int row = order[j];
            order[j] = order[t];
            order[t] = row;
            all.add("a", t, new double[] {row, 97}, 0);
            some.add("a", t, new double[] {row, 97}, 0);
        }
        assertEquals(60, all.entries("a").size());
        for (ExemplarReservoir.Entry e : all.entries("a")) {
            int last = order.length - 1;
            while (order[last] != (int) e.raw()[0]) {
                last--;
            }
            assertEquals(last, e.timestamp(), "row " + e.raw()[0]);
        }
        ExemplarReservoir once = new ExemplarReservoir(20, 2);
        stream(once, "a", 0, 60);
        assertEquals(rows(once, "a"), rows(some, "a"), "the bottom 20 of the same 60 rows");
        ExemplarReservoir zeros = new ExemplarReservoir(10, 2);
        zeros.add("a", 0, new double[] {1, 0.0}, 0);
        zeros.add("a", 1, new double[] {1, -0.0}, 0);
        assertEquals(1, zeros.size(), "-0.0 is the same number as 0.0");

        double[] kept = inclusion(60, 5_000, seed -> {
            ExemplarReservoir r = new ExemplarReservoir(20, 2, seed);
            for (int rep = 0; rep < 3; rep++) {
                stream(r, "a", 0, 60);
            }
            return r;
        });
        for (int i = 0; i < kept.length; i++) {
            assertEquals(1.0 / 3, kept[i], 0.03, "row " + i);
        }
    }

    /** The kept rows' first coordinates, sorted. */
    private static List<Double> rows(ExemplarReservoir r, String label) {
        return r.entries(label).stream().map(e -> e.raw()[0]).sorted().toList();
    }

    @Test
    void aNewEpochRestartsTheSample() {
        ExemplarReservoir r = new ExemplarReservoir(5, 2, 1);
        stream(r, "a", 0, 20);
        r.add("b", 20, new double[] {20, 0}, 1);
        assertEquals(List.of("b"), r.labels());
        assertEquals(0, r.seen("a"));
        assertEquals(1, r.seen("b"));
    }

    @Test
    void aRestoredReservoirContinuesExactlyAsTheUninterruptedOne() throws IOException {
        ExemplarReservoir kept = new ExemplarReservoir(7, 2, 42);
        stream(kept, "a", 0, 50);
        stream(kept, "b", 0, 3);
        ExemplarReservoir restored = roundTrip(kept);
        assertArrayEquals(bytes(kept), bytes(restored));
        stream(kept, "a", 50, 200);
        stream(restored, "a", 50, 200);
        assertArrayEquals(bytes(kept), bytes(restored));
        assertEquals(7, restored.entries("a").size());
    }

    @Test
    void shrinkingKeepsAUniformSubsetAndGrowingKeepsEveryRow() {
        double[] kept = inclusion(40, 5_000, seed -> {
            ExemplarReservoir r = new ExemplarReservoir(20, 2, seed);
            stream(r, "a", 0, 40);
            r.resize(10);
            return r;
        });
        for (int i = 0; i < kept.length; i++) {
            assertEquals(0.25, kept[i], 0.03, "event " + i);
        }
        ExemplarReservoir r = new ExemplarReservoir(5, 2, 1);
        stream(r, "a", 0, 20);
        r.resize(8);
        assertEquals(5, r.entries("a").size());
        stream(r, "a", 20, 23);
        assertEquals(8, r.entries("a").size());
    }

    /** A sample of events as format 1 wrote it (with a repeated row) goes on as the sample of its distinct rows. */
    @Test
    void aSampleOfEventsOfFormatOneIsReadAsItsDistinctRows() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(b)) {
            out.writeInt(0x434d5852);
            out.writeInt(1);
            out.writeInt(4); // capacity
            out.writeInt(2); // p
            out.writeLong(12345); // the generator's state
            out.writeLong(0); // epoch
            out.writeInt(1);
            out.writeUTF("a");
            out.writeLong(9); // seen
            out.writeInt(3);
            for (long t : new long[] {5, 6, 7}) {
                out.writeLong(t);
            }
            for (double v : new double[] {1, 97, 2, 97, 1, 97}) {
                out.writeDouble(v);
            }
        }
        ExemplarReservoir r = read(b.toByteArray());
        assertEquals(List.of(1.0, 2.0), rows(r, "a"));
        assertEquals(9, r.seen("a"));
        assertEquals(7, r.entries("a").get(0).timestamp(), "row 1's latest time");
        stream(r, "a", 3, 5);
        assertEquals(4, r.size());
        ExemplarReservoir merged = ExemplarReservoir.merge(List.of(r, new ExemplarReservoir(4, 2)));
        assertEquals(rows(r, "a"), rows(merged, "a"), "it merges with the samples of this format");
    }

    @Test
    void capacityZeroKeepsNothing() {
        ExemplarReservoir r = new ExemplarReservoir(0, 2);
        stream(r, "a", 0, 10);
        assertEquals(0, r.size());
    }

    @Test
    void aCorruptStateIsRefused() throws IOException {
        ExemplarReservoir r = new ExemplarReservoir(3, 2, 1);
        stream(r, "a", 0, 10);
        byte[] b = bytes(r);
        b[0] ^= 1;
        assertThrows(IOException.class, () -> read(b));
        byte[] c = bytes(r);
        c[8] = (byte) 0x80; // a negative capacity
        assertThrows(IOException.class, () -> read(c));
        byte[] d = bytes(r);
        d[11] = 2; // capacity 2 while the class holds 3 rows
        assertThrows(IOException.class, () -> read(d));
    }

    private static ExemplarReservoir roundTrip(ExemplarReservoir r) throws IOException {
        return read(bytes(r));
    }

    private static byte[] bytes(ExemplarReservoir r) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(b)) {
            ExemplarReservoir.write(r, out);
        }
        return b.toByteArray();
    }

    private static ExemplarReservoir read(byte[] b) throws IOException {
        return ExemplarReservoir.read(new DataInputStream(new ByteArrayInputStream(b)));
    }
}
