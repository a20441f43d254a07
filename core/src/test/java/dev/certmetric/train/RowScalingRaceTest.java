package dev.certmetric.train;

import dev.certmetric.preprocess.RowScaling;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The race of row scalings ({@code learner.rows-race}): on a stream whose classes differ only in magnitude the
 * scaled rows win, on one whose magnitudes are noise the unit-norm rows win, whichever runs first; the race
 * survives checkpoints, old and new.
 */
class RowScalingRaceTest {
    private static final int P = 4;

    /** Two classes on shells of radius 1 and 3 around the origin, in random directions: magnitude is all. */
    private static double[] shell(Random rnd, int label) {
        double[] x = direction(rnd);
        double r = (label == 0 ? 1 : 3) * (1 + 0.1 * rnd.nextGaussian());
        for (int f = 0; f < P; f++) {
            x[f] *= r;
        }
        return x;
    }

    /**
     * Two classes along directions 40 degrees apart, at magnitudes spread over eight decades: the magnitude is
     * noise, and the scaled rows have few neighbours of like magnitude.
     */
    private static double[] ray(Random rnd, int label) {
        double[] x = direction(rnd);
        double s = Math.pow(10, 4 * (2 * rnd.nextDouble() - 1));
        double a = label == 0 ? 1 : 0.3;
        double b = label == 0 ? 0.3 : 1;
        double n = Math.sqrt(a * a + b * b);
        for (int f = 0; f < P; f++) {
            x[f] = s * ((f == 0 ? a / n : f == 1 ? b / n : 0) + 0.2 * x[f]);
        }
        return x;
    }

    private static double[] direction(Random rnd) {
        double[] x = new double[P];
        double n = 0;
        for (int f = 0; f < P; f++) {
            x[f] = rnd.nextGaussian();
            n += x[f] * x[f];
        }
        for (int f = 0; f < P; f++) {
            x[f] /= Math.sqrt(n);
        }
        return x;
    }

    private interface Source {
        double[] draw(Random rnd, int label);
    }

    private static SettingsRace race(RowScaling first, Source source, int budget, int events) {
        SettingsRace race = new SettingsRace(RaceSettings.off(LearnerSettings.DEFAULT.withRows(first))
                .withRowsRace(budget), P);
        Random rnd = new Random(11);
        for (int e = 0; e < events; e++) {
            int label = rnd.nextInt(2);
            race.testThenTrain(source.draw(rnd, label), "c" + label, e);
        }
        return race;
    }

    @Test
    void scaledRowsWinWhereTheMagnitudeIsTheClass() {
        SettingsRace race = race(RowScaling.UNIT_NORM, RowScalingRaceTest::shell, 300, 400);
        assertTrue(race.decided());
        assertEquals(RowScaling.SCALED, race.leader().settings().rowScaling());
        List<SettingsRace.Standing> s = race.standings();
        assertEquals(300, s.get(0).eliminatedAt(), "the configured unit-norm rows were dropped at the budget");
        assertTrue(s.get(1).accuracy() > 0.9 && s.get(0).accuracy() < 0.7, s.toString());
        assertEquals(RowScaling.SCALED, race.leader().standardizer().rows(), "what it publishes is scaled");
    }

    @Test
    void unitNormRowsWinWhereTheMagnitudeIsNoise() {
        SettingsRace race = race(RowScaling.SCALED, RowScalingRaceTest::ray, 200, 300);
        assertTrue(race.decided());
        assertEquals(RowScaling.UNIT_NORM, race.leader().settings().rowScaling());
        List<SettingsRace.Standing> s = race.standings();
        assertTrue(s.get(1).accuracy() > s.get(0).accuracy() + 0.02, s.toString());
    }

    @Test
    void theLeaderSoFarPredictsBeforeTheBudget() {
        SettingsRace race = race(RowScaling.UNIT_NORM, RowScalingRaceTest::shell, 300, 200);
        assertTrue(!race.decided());
        assertEquals(RowScaling.SCALED, race.leader().settings().rowScaling());
    }

    @Test
    void aRaceOfOneGainsTheTwinAndALargerRaceKeepsItsBudget() {
        LearnerSettings d = LearnerSettings.DEFAULT;
        RaceSettings two = RaceSettings.off(d).withRowsRace(1000);
        assertEquals(List.of(d, d.withRows(d.rowScaling().other())), two.candidates());
        assertEquals(1000, two.firstBudget());
        assertEquals(0, two.certifiedWeight(), "accuracy alone decides a race of row scalings");
        RaceSettings grid = RaceSettings.around(d, 8, 300, 0.5, 0.05);
        RaceSettings both = grid.withRowsRace(1000);
        assertEquals(8, both.population(), "the last grid point gives way");
        assertEquals(d.withRows(d.rowScaling().other()), both.candidates().get(1));
        assertEquals(grid.candidates().subList(1, 7), both.candidates().subList(2, 8));
        assertEquals(300, both.firstBudget());
        assertEquals(0.5, both.certifiedWeight());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RaceSettings.off(d).withRowsRace(0));
        assertTrue(e.getMessage().contains("rows-race") && e.getMessage().contains("[1, 1000000]"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new LearnerSettings(d.k(),
                d.impostors(), d.mu(), d.lambda(), d.tau(), d.rank(), d.windowPerClass(), d.windowMillis(),
                d.batchSize(), d.stepRule(), d.learningRate(), d.certifyEvery(), d.averageSteps(), d.driftDetector(),
                d.driftThreshold(), d.guardRadius(), d.kRace(), d.memoryPerClass(), d.memoryBudget(), "l1"));
        assertTrue(bad.getMessage().contains("rows = l1") && bad.getMessage().contains("unit-norm | scaled"),
                bad.getMessage());
    }

    @Test
    void aCheckpointMidRaceContinuesBitForBit() throws Exception {
        SettingsRace a = race(RowScaling.UNIT_NORM, RowScalingRaceTest::shell, 300, 150);
        byte[] bytes = SettingsRaceCodec.toBytes(a);
        SettingsRace b = SettingsRaceCodec.fromBytes(bytes);
        assertEquals(a.settings(), b.settings());
        assertArrayEquals(bytes, SettingsRaceCodec.toBytes(b));
        Random rnd = new Random(12);
        for (int e = 150; e < 400; e++) {
            int label = rnd.nextInt(2);
            double[] x = shell(rnd, label);
            assertEquals(a.testThenTrain(x, "c" + label, e), b.testThenTrain(x, "c" + label, e), "event " + e);
        }
        assertEquals(a.standings(), b.standings());
    }

    /** A race written before row scalings were raced (format 1): its candidates run on their learners' rows. */
    @Test
    void aRaceCheckpointWithoutRowsRestoresOnItsLearnersRows() throws Exception {
        LearnerSettings old = LearnerSettings.DEFAULT.withRows(RowScaling.UNIT_NORM);
        SettingsRace race = new SettingsRace(RaceSettings.off(old), P);
        Random rnd = new Random(13);
        for (int e = 0; e < 100; e++) {
            int label = rnd.nextInt(2);
            race.testThenTrain(shell(rnd, label), "c" + label, e);
        }
        byte[] current = SettingsRaceCodec.toBytes(race);
        // magic, format, budget, weight, radius, events, population, then the candidate's mu, lambda, tau, rate
        int rowsAt = 4 + 4 + 4 + 8 + 8 + 8 + 4 + 4 * 8;
        int rowsLength = 2 + old.rows().length();
        ByteArrayOutputStream formatOne = new ByteArrayOutputStream();
        formatOne.write(current, 0, 4);
        formatOne.write(new byte[] {0, 0, 0, 1});
        formatOne.write(current, 8, rowsAt - 8);
        formatOne.write(current, rowsAt + rowsLength, current.length - rowsAt - rowsLength);
        SettingsRace restored = SettingsRaceCodec.fromBytes(formatOne.toByteArray());
        assertEquals(race.settings(), restored.settings());
        assertArrayEquals(current, SettingsRaceCodec.toBytes(restored), "and it writes the current format");
    }
}
