package dev.certmetric.train;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The settings race on a stream where a learned metric matters (two informative features among
 * fourteen noisy ones, {@link LearnersTest#data}): halving points, the winner, determinism and the
 * checkpoint.
 */
class SettingsRaceTest {
    private static final int P = 16;

    /** Rows of a fixed sample, shuffled and repeated into a stream of n events. */
    private record Stream(double[][] x, String[] y) {
        static Stream of(long seed, int n) {
            LearnersTest.Split s = LearnersTest.data(seed, 600);
            Random rnd = new Random(seed);
            double[][] x = new double[n][];
            String[] y = new String[n];
            for (int i = 0; i < n; i++) {
                int r = rnd.nextInt(s.train().length);
                x[i] = s.train()[r];
                y[i] = "c" + s.trainY()[r];
            }
            return new Stream(x, y);
        }

        void feed(SettingsRace race, int from, int to) {
            for (int i = from; i < to; i++) {
                race.testThenTrain(x[i], y[i], i);
            }
        }
    }

    private static RaceSettings grid(int population, int firstBudget) {
        return RaceSettings.around(LearnerSettings.DEFAULT, population, firstBudget, 0.5, 0.05);
    }

    @Test
    void halvesAtBudgetsThatDouble() {
        Stream s = Stream.of(1, 450);
        SettingsRace race = new SettingsRace(grid(6, 100), P);
        int[] expectAlive = new int[451];
        for (int e = 0; e <= 450; e++) {
            expectAlive[e] = e < 100 ? 6 : e < 200 ? 3 : e < 400 ? 2 : 1;
        }
        for (int i = 0; i < 450; i++) {
            race.testThenTrain(s.x()[i], s.y()[i], i);
            long alive = race.standings().stream().filter(SettingsRace.Standing::alive).count();
            assertEquals(expectAlive[i + 1], alive, "alive after event " + (i + 1));
        }
        List<SettingsRace.Standing> standings = race.standings();
        assertEquals(3, standings.stream().filter(t -> t.eliminatedAt() == 100).count());
        assertEquals(1, standings.stream().filter(t -> t.eliminatedAt() == 200).count());
        assertEquals(1, standings.stream().filter(t -> t.eliminatedAt() == 400).count());
        assertTrue(race.decided());
        SettingsRace.Standing winner = standings.stream().filter(SettingsRace.Standing::alive).findFirst().orElseThrow();
        assertEquals(450, winner.events());
        assertEquals(winner.settings(), race.leader().settings());
        assertEquals(450, race.leader().events());
        // Every drop was the worse half by score at that point: no survivor of a halving scored below a
        // candidate dropped there (checked at the last halving, where both records end at 400 events).
        SettingsRace.Standing last = standings.stream().filter(t -> t.eliminatedAt() == 400).findFirst().orElseThrow();
        assertEquals(400, last.events());
    }

    @Test
    void candidatesCertifyOftenWhileRacingAndTheLeaderAtItsConfiguredRateAfter() {
        Stream s = Stream.of(7, 900);
        SettingsRace race = new SettingsRace(grid(2, 200), P); // decided at event 200
        for (int i = 0; i < 900; i++) {
            StreamingLearner.Outcome o = race.testThenTrain(s.x()[i], s.y()[i], i);
            long event = i + 1;
            boolean sampled = event <= 200 ? event % RaceSettings.RACING_CERTIFY_EVERY == 0
                    : event % LearnerSettings.DEFAULT.certifyEvery() == 0;
            assertEquals(sampled && o.tested(), !Double.isNaN(o.certifiedRadius()), "event " + event);
        }
    }

    @Test
    void aFarTooSmallLearningRateLosesToTheDefault() {
        Stream s = Stream.of(2, 1200);
        // The hopeless candidates first: they would win every tie.
        RaceSettings settings = new RaceSettings(List.of(LearnerSettings.DEFAULT.withLearningRate(1e-5),
                LearnerSettings.DEFAULT.withLearningRate(3e-5), LearnerSettings.DEFAULT), 150, 0.5, 0.05);
        SettingsRace race = new SettingsRace(settings, P);
        s.feed(race, 0, 1200);
        assertTrue(race.decided());
        assertEquals(0.03, race.leader().settings().learningRate(), "winner " + race.standings());
        // The winner is the best score among the candidates alive at the final halving (600 events).
        List<SettingsRace.Standing> standings = race.standings();
        SettingsRace.Standing winner = standings.get(2);
        SettingsRace.Standing runnerUp = standings.stream().filter(t -> t.eliminatedAt() == 300).findFirst().orElseThrow();
        assertTrue(winner.accuracy() > runnerUp.accuracy() + 0.05, standings.toString());
    }

    @Test
    void theWinnerHasTheBestScoreAmongTheFinalists() {
        Stream s = Stream.of(3, 400);
        SettingsRace race = new SettingsRace(grid(4, 100), P);
        s.feed(race, 0, 199);
        List<SettingsRace.Standing> before = race.standings();
        s.feed(race, 199, 200); // the last halving: 2 -> 1 at event 200
        List<SettingsRace.Standing> after = race.standings();
        assertTrue(race.decided());
        SettingsRace.Standing won = after.stream().filter(SettingsRace.Standing::alive).findFirst().orElseThrow();
        SettingsRace.Standing lost = after.stream().filter(t -> t.eliminatedAt() == 200).findFirst().orElseThrow();
        double w = race.settings().certifiedWeight();
        assertTrue(won.score(w) > lost.score(w) || won.score(w) == lost.score(w) && won.index() < lost.index(),
                after.toString());
        assertEquals(2, before.stream().filter(SettingsRace.Standing::alive).count());
        assertTrue(after.stream().anyMatch(t -> t.certifyTested() > 0), "the certified term was sampled");
    }

    @Test
    void twoRunsOnTheSameStreamPickTheSameWinnerBitForBit() {
        Stream s = Stream.of(4, 800);
        SettingsRace a = new SettingsRace(grid(6, 100), P);
        SettingsRace b = new SettingsRace(grid(6, 100), P);
        s.feed(a, 0, 800);
        s.feed(b, 0, 800);
        assertEquals(a.standings(), b.standings());
        assertArrayEquals(LearnerStateCodec.toBytes(a.leader()), LearnerStateCodec.toBytes(b.leader()));
    }

    @Test
    void aCheckpointMidRaceContinuesBitForBit() throws Exception {
        Stream s = Stream.of(5, 900);
        SettingsRace a = new SettingsRace(grid(6, 100), P);
        s.feed(a, 0, 150); // between the first and the second halving
        byte[] bytes = SettingsRaceCodec.toBytes(a);
        SettingsRace b = SettingsRaceCodec.fromBytes(bytes);
        assertArrayEquals(bytes, SettingsRaceCodec.toBytes(b), "a restored race writes the same bytes");
        assertEquals(a.standings(), b.standings());
        assertFalse(b.decided());
        for (int i = 150; i < 900; i++) {
            StreamingLearner.Outcome oa = a.testThenTrain(s.x()[i], s.y()[i], i);
            StreamingLearner.Outcome ob = b.testThenTrain(s.x()[i], s.y()[i], i);
            assertEquals(oa, ob, "event " + i);
        }
        assertTrue(a.decided());
        assertEquals(a.standings(), b.standings());
        assertArrayEquals(SettingsRaceCodec.toBytes(a), SettingsRaceCodec.toBytes(b));
    }

    @Test
    void aRaceOfOneIsThePlainLearner() throws Exception {
        Stream s = Stream.of(6, 500);
        StreamingLearner plain = new StreamingLearner(LearnerSettings.DEFAULT, P);
        SettingsRace race = new SettingsRace(RaceSettings.off(LearnerSettings.DEFAULT), P);
        for (int i = 0; i < 500; i++) {
            assertEquals(plain.testThenTrain(s.x()[i], s.y()[i], i), race.testThenTrain(s.x()[i], s.y()[i], i));
        }
        assertTrue(race.decided());
        assertArrayEquals(LearnerStateCodec.toBytes(plain), LearnerStateCodec.toBytes(race.leader()));
        SettingsRace wrapped = SettingsRace.of(LearnerStateCodec.fromBytes(LearnerStateCodec.toBytes(plain)));
        assertEquals(plain.prequentialAccuracy(), wrapped.standings().get(0).accuracy());
        assertSame(wrapped.leader(), wrapped.candidate(LearnerSettings.DEFAULT).orElseThrow());
    }

    @Test
    void theGridStartsAtTheConfiguredSettingsAndBadValuesNameTheirKey() {
        RaceSettings r = grid(6, 300);
        assertEquals(6, r.population());
        LearnerSettings first = r.candidates().get(0);
        LearnerSettings d = LearnerSettings.DEFAULT;
        assertEquals(List.of(d.mu(), d.lambda(), d.tau(), d.learningRate()),
                List.of(first.mu(), first.lambda(), first.tau(), first.learningRate()));
        assertEquals(LearnerSettings.DEFAULT, first, "the configured settings race as they are");
        assertEquals(RaceSettings.RACING_CERTIFY_EVERY, r.racingCertifyEvery());
        assertEquals(1, RaceSettings.around(LearnerSettings.DEFAULT, 1, 300, 0.5, 0.05).population());
        assertEquals(LearnerSettings.DEFAULT, RaceSettings.around(LearnerSettings.DEFAULT, 1, 300, 0.5, 0.05)
                .candidates().get(0), "a race of one leaves the configured settings as they are");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RaceSettings.around(LearnerSettings.DEFAULT, 9, 300, 0.5, 0.05));
        assertTrue(e.getMessage().contains("race.population") && e.getMessage().contains("[1, 8]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RaceSettings(
                List.of(LearnerSettings.DEFAULT, LearnerSettings.DEFAULT.withLearningRate(0.1)
                        .withObjective(0.5, 1, 0.1)), 0, 0.5, 0.05));
    }
}
