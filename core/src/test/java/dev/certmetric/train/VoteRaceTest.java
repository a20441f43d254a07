package dev.certmetric.train;

import dev.certmetric.knn.KnnClassifier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class VoteRaceTest {

    /** Every candidate's vote is plurality's on its first k neighbours, ties (equal distances too) included. */
    @Property(tries = 300)
    void eachCandidateVotesAsPluralityOnItsPrefix(@ForAll("seeds") long seed, @ForAll @IntRange(min = 1, max = 6) int classes,
                                                  @ForAll @IntRange(min = 1, max = 15) int n) {
        Random rnd = new Random(seed);
        int[] labels = new int[n];
        double[] d = new double[n];
        for (int s = 0; s < n; s++) {
            labels[s] = rnd.nextInt(classes);
            d[s] = s == 0 ? rnd.nextInt(3) : d[s - 1] + rnd.nextInt(2); // nearest first, with ties
        }
        for (int k : VoteRace.CANDIDATES) {
            VoteRace fixed = new VoteRace(k, false, 1);
            int expected = KnnClassifier.plurality(Arrays.copyOf(labels, Math.min(k, n)), Arrays.copyOf(d, Math.min(k, n)),
                    classes);
            assertEquals(expected, oneTier(fixed, labels, d, n, classes, 0), "k = " + k);
        }
    }

    private static int oneTier(VoteRace race, int[] labels, double[] d, int n, int classes, int truth) {
        return oneTier(race, labels, d, new boolean[labels.length], n, classes, truth);
    }

    private static int oneTier(VoteRace race, int[] labels, double[] d, boolean[] repeats, int n, int classes,
                               int truth) {
        return race.predict(new int[][] {labels}, new double[][] {d}, new boolean[][] {repeats}, new int[] {n},
                classes, truth);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Long> seeds() {
        return net.jqwik.api.Arbitraries.longs();
    }

    @Test
    void theLeadPassesToABetterKOnlyPastTheMargin() {
        VoteRace race = new VoteRace(3, true, 1);
        assertEquals(3, race.k());
        // Neighbours: one of class 1 nearest, then class 0 everywhere after: k = 1 says 1, every k >= 3 says 0.
        int[] labels = new int[15];
        labels[0] = 1;
        double[] d = new double[15];
        Arrays.setAll(d, s -> s + 1);
        // While the truth is 0, k = 3 is as good as every larger k and keeps the lead (ties keep the leader).
        for (int e = 0; e < 100; e++) {
            assertEquals(0, oneTier(race, labels, d, 15, 2, 0));
        }
        assertEquals(3, race.k());
        // On a fresh race where only k = 1 is right, it takes the lead once its decayed hits exceed the margin:
        // after 11 events (10.945 hits), not after 10 (9.955).
        VoteRace fresh = new VoteRace(3, true, 1);
        for (int e = 0; e < 10; e++) {
            assertEquals(0, oneTier(fresh, labels, d, 15, 2, 1), "k = 3 still predicts, event " + e);
        }
        assertEquals(3, fresh.k());
        oneTier(fresh, labels, d, 15, 2, 1);
        assertEquals(1, fresh.k());
        assertEquals(1, oneTier(fresh, labels, d, 15, 2, 1));
    }

    /** A copy of the event (distance zero) counts in the prediction but not in the race's scoring. */
    @Test
    void copiesOfTheEventVoteButDoNotScore() {
        VoteRace race = new VoteRace(3, true, 1);
        // The nearest is a copy of the event, of its class 1; the other neighbours are all class 0.
        int[] labels = new int[15];
        labels[0] = 1;
        double[] d = new double[15];
        Arrays.setAll(d, s -> s);
        for (int e = 0; e < 50; e++) {
            oneTier(race, labels, d, 15, 2, 1);
        }
        assertEquals(3, race.k(), "k = 1 is right only through the copy, so it does not take the lead");
        VoteRace one = new VoteRace(1, false, 1);
        assertEquals(1, oneTier(one, labels, d, 15, 2, 1), "the prediction counts the copy");
    }

    /**
     * On a stream that repeats its points every neighbour comes in copies; the race counts k distinct neighbours,
     * as the scorer's distinct exemplars will, not k copies of fewer points.
     */
    @Test
    void copiesOfANeighbourCountOnceInTheRace() {
        // Five distinct neighbours, three copies each: classes 1, 0, 0, 1, 1 by distance.
        int[] labels = {1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
        double[] d = {1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5};
        boolean[] repeats = new boolean[15];
        for (int s = 0; s < 15; s++) {
            repeats[s] = s % 3 != 0;
        }
        // Truth 0: over copies k = 7, 9 and 11 are right (six 0s against three or five 1s); over distinct points
        // only k = 3 is (0, 0 against one 1).
        VoteRace distinct = new VoteRace(1, true, 1);
        VoteRace copies = new VoteRace(1, true, 1);
        for (int e = 0; e < 20; e++) {
            oneTier(distinct, labels, d, repeats, 15, 2, 0);
            oneTier(copies, labels, d, new boolean[15], 15, 2, 0);
        }
        assertEquals(3, distinct.k());
        assertEquals(7, copies.k());
        VoteRace fixed = new VoteRace(9, false, 1);
        assertEquals(0, oneTier(fixed, labels, d, repeats, 15, 2, 0), "the prediction counts every copy");
    }

    @Test
    void stateRoundTripsAndMergesByLeaders() {
        VoteRace a = new VoteRace(3, true, 1);
        int[] labels = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        double[] d = new double[15];
        Arrays.setAll(d, s -> s + 1);
        for (int e = 0; e < 50; e++) {
            oneTier(a, labels, d, 15, 2, 1);
        }
        VoteRace copy = new VoteRace(3, true, 1);
        copy.restore(a.state());
        assertArrayEquals(a.state(), copy.state());
        assertEquals(1, copy.k());
        VoteRace b = new VoteRace(3, true, 1);
        for (int e = 0; e < 10; e++) {
            oneTier(b, labels, d, 15, 2, 0);
        }
        assertEquals(3, b.k());
        // a's k = 1 has 50 hits summed against b's k = 3 with 10 (a scored none for k = 3).
        assertEquals(1, VoteRace.merged(List.of(a, b)));
        assertEquals(3, VoteRace.merged(List.of(b)));
        assertThrows(IllegalArgumentException.class, () -> new VoteRace(3, false, 1).restore(a.state()));
        assertThrows(IllegalArgumentException.class, () -> VoteRace.merged(List.of(a, new VoteRace(3, false, 1))));
    }
}
