package dev.certmetric.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitsTest {
    private static int[] sortedUnion(int[] a, int[] b) {
        return IntStream.concat(Arrays.stream(a), Arrays.stream(b)).sorted().toArray();
    }

    @Test
    void randomSplitPartitionsAllRows() {
        Splits.TrainTest s = Splits.randomSplit(150, 0.3, 7);
        assertEquals(45, s.test().length);
        assertEquals(105, s.train().length);
        assertTrue(Arrays.equals(IntStream.range(0, 150).toArray(), sortedUnion(s.train(), s.test())));
    }

    @Test
    void randomSplitIsDeterministicPerSeedAndShuffled() {
        assertEquals(Splits.randomSplit(100, 0.25, 42), Splits.randomSplit(100, 0.25, 42));
        assertNotEquals(Splits.randomSplit(100, 0.25, 42), Splits.randomSplit(100, 0.25, 43));
        int[] train = Splits.randomSplit(100, 0.25, 42).train();
        assertTrue(!Arrays.equals(train, Arrays.stream(train).sorted().toArray()), "train order is shuffled");
    }

    @Test
    void randomSplitKeepsBothSidesNonEmpty() {
        assertEquals(1, Splits.randomSplit(10, 0.01, 1).test().length);
        assertEquals(9, Splits.randomSplit(10, 0.99, 1).test().length);
        assertEquals(1, Splits.randomSplit(2, 0.5, 1).test().length);
    }

    @Test
    void randomSplitRejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> Splits.randomSplit(1, 0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> Splits.randomSplit(10, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Splits.randomSplit(10, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Splits.randomSplit(10, Double.NaN, 1));
    }

    @Test
    void kFoldTestsEveryRowOnce() {
        List<Splits.TrainTest> folds = Splits.kFold(23, 5, 3);
        assertEquals(5, folds.size());
        int[] tested = folds.stream().flatMapToInt(f -> Arrays.stream(f.test())).sorted().toArray();
        assertTrue(Arrays.equals(IntStream.range(0, 23).toArray(), tested));
        for (Splits.TrainTest f : folds) {
            int size = f.test().length;
            assertTrue(size == 4 || size == 5, "fold size " + size);
            assertTrue(Arrays.equals(IntStream.range(0, 23).toArray(), sortedUnion(f.train(), f.test())));
        }
        assertEquals(folds, Splits.kFold(23, 5, 3));
    }

    @Test
    void kFoldRejectsBadFoldCounts() {
        assertThrows(IllegalArgumentException.class, () -> Splits.kFold(10, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Splits.kFold(3, 4, 1));
    }
}
