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
    void mergedSamplesAreUniformOverTheUnionOfShares() {
        // Share one: events 0..29, share two: 30..39 (a quarter of the stream); capacity 8 of 40.
        double[] kept = inclusion(40, 5_000, seed -> {
            ExemplarReservoir one = new ExemplarReservoir(8, 2, seed);
            ExemplarReservoir two = new ExemplarReservoir(8, 2, ~seed);
            stream(one, "a", 0, 30);
            stream(two, "a", 30, 40);
            ExemplarReservoir merged = ExemplarReservoir.merge(List.of(one, two), seed * 31);
            assertEquals(40, merged.seen("a"));
            return merged;
        });
        for (int i = 0; i < kept.length; i++) {
            assertEquals(0.2, kept[i], 0.03, "event " + i);
        }
    }

    @Test
    void aSmallStreamIsKeptWhole() {
        ExemplarReservoir one = new ExemplarReservoir(100, 2, 1);
        ExemplarReservoir two = new ExemplarReservoir(100, 2, 2);
        stream(one, "a", 0, 30);
        stream(two, "a", 30, 40);
        List<ExemplarReservoir.Entry> all = ExemplarReservoir.merge(List.of(one, two), 3).entries("a");
        assertEquals(40, all.size());
        assertEquals(40, all.stream().mapToDouble(e -> e.raw()[0]).distinct().count());
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

    @Test
    void capacityZeroKeepsNothing() {
        ExemplarReservoir r = new ExemplarReservoir(0, 2, 1);
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
