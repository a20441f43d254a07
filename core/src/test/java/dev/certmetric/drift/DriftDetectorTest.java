package dev.certmetric.drift;

import dev.certmetric.train.LearnerSettings;
import dev.certmetric.train.StreamingLearner;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DriftDetectorTest {
    /** Index of the first alarm on a stream of errors with rate before/after at the change point, or -1. */
    private static int firstAlarm(DriftDetector d, double before, double after, int change, int n, long seed) {
        Random rnd = new Random(seed);
        for (int t = 0; t < n; t++) {
            double rate = t < change ? before : after;
            if (d.add(rnd.nextDouble() < rate)) {
                return t;
            }
        }
        return -1;
    }

    @Test
    void pageHinkleyFiresSoonAfterAnAbruptRiseOfTheError() {
        for (long seed = 1; seed <= 20; seed++) {
            int alarm = firstAlarm(PageHinkley.withDefaults(PageHinkley.DEFAULT_THRESHOLD), 0.1, 0.6, 5_000, 10_000, seed);
            assertTrue(alarm >= 5_000, "alarm before the drift at " + alarm + " (seed " + seed + ")");
            assertTrue(alarm < 5_400, "alarm too late or never: " + alarm + " (seed " + seed + ")");
        }
    }

    @Test
    void pageHinkleyStaysQuietOnAStationaryStream() {
        for (long seed = 1; seed <= 20; seed++) {
            assertEquals(-1, firstAlarm(PageHinkley.withDefaults(PageHinkley.DEFAULT_THRESHOLD), 0.2, 0.2, 0, 50_000, seed), "seed " + seed);
        }
    }

    @Test
    void aFallingErrorIsNoDrift() {
        assertEquals(-1, firstAlarm(PageHinkley.withDefaults(PageHinkley.DEFAULT_THRESHOLD), 0.5, 0.05, 2_000, 20_000, 3));
    }

    @Test
    void stateRoundTripContinuesIdentically() {
        PageHinkley a = PageHinkley.withDefaults(20);
        Random rnd = new Random(5);
        for (int t = 0; t < 500; t++) {
            a.add(rnd.nextDouble() < 0.2);
        }
        DriftDetector b = DriftDetectors.restore(a.name(), a.state());
        assertArrayEquals(a.state(), b.state());
        for (int t = 0; t < 5_000; t++) {
            boolean e = rnd.nextDouble() < (t < 1_000 ? 0.2 : 0.7);
            assertEquals(a.add(e), b.add(e), "diverged at " + t);
        }
    }

    @Test
    void noDetectionNeverFires() {
        assertEquals(-1, firstAlarm(new NoDriftDetection(), 0.0, 1.0, 10, 10_000, 1));
    }

    @Test
    void theLearnerForgetsTheOldConceptWhenItsErrorJumps() {
        // Two classes in two clusters; half way the labels swap. With a window and a vote memory (shallowest tier
        // 2,000 a class) far longer than the time a detector needs, only the detector lets the learner drop the old
        // concept early.
        Random rnd = new Random(11);
        int p = 4;
        StreamingLearner withDrift = new StreamingLearner(settings(PageHinkley.NAME), p);
        StreamingLearner without = new StreamingLearner(settings(NoDriftDetection.NAME), p);
        long correctAfterWith = 0;
        long correctAfterWithout = 0;
        for (int t = 0; t < 4_000; t++) {
            int cls = rnd.nextInt(2);
            double[] x = new double[p];
            for (int c = 0; c < p; c++) {
                x[c] = (cls == 0 ? 1 : -1) + 0.3 * rnd.nextGaussian();
            }
            String label = (t < 2_000) == (cls == 0) ? "a" : "b";
            boolean a = withDrift.testThenTrain(x, label, t).correct();
            boolean b = without.testThenTrain(x, label, t).correct();
            if (t >= 2_000 && t < 3_000) {
                correctAfterWith += a ? 1 : 0;
                correctAfterWithout += b ? 1 : 0;
            }
        }
        assertTrue(withDrift.counters().drifts() >= 1, "no drift detected");
        assertEquals(0, without.counters().drifts());
        assertTrue(correctAfterWith > correctAfterWithout + 200,
                "recovery with drift detection " + correctAfterWith + " vs without " + correctAfterWithout);
        assertFalse(withDrift.window().size() > without.window().size());
    }

    private static LearnerSettings settings(String detector) {
        LearnerSettings d = LearnerSettings.DEFAULT;
        return new LearnerSettings(d.k(), d.impostors(), d.mu(), d.lambda(), d.tau(), d.rank(), 2_000,
                d.windowMillis(), d.batchSize(), d.stepRule(), d.learningRate(), d.certifyEvery(), d.averageSteps(),
                detector, d.driftThreshold(), d.guardRadius(), d.kRace(), 20_000, 100_000, d.rows());
    }
}
