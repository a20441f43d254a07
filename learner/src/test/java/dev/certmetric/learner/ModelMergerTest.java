package dev.certmetric.learner;

import dev.certmetric.data.CsvDataset;
import dev.certmetric.eval.ExemplarStatistics;
import dev.certmetric.memory.ExemplarReservoir;
import dev.certmetric.preprocess.OnlineStandardizer;
import dev.certmetric.preprocess.RowScaling;
import dev.certmetric.preprocess.Standardizer;
import dev.certmetric.snapshot.Exemplar;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.snapshot.SnapshotCodec;
import dev.certmetric.snapshot.RaceStandings;
import dev.certmetric.train.LearnerSettings;
import dev.certmetric.train.RaceSettings;
import dev.certmetric.train.SettingsRace;
import dev.certmetric.train.StreamingLearner;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelMergerTest {

    @Test
    void mergesStatisticsExactlyAndCountsEveryEvent() {
        CsvDataset iris = CsvDataset.readResource("iris");
        StreamingLearner a = new StreamingLearner(LearnerSettings.DEFAULT, iris.featureCount());
        StreamingLearner b = new StreamingLearner(LearnerSettings.DEFAULT, iris.featureCount());
        OnlineStandardizer all = new OnlineStandardizer(iris.featureCount());
        for (int i = 0; i < iris.rows(); i++) {
            (i % 3 == 0 ? a : b).testThenTrain(iris.row(i), iris.label(i), i);
            all.update(iris.row(i));
        }
        MetricSnapshot s = ModelMerger.merge(List.of(new WorkerModel(1, SettingsRace.of(a), 0.5),
                new WorkerModel(2, SettingsRace.of(b), 0.25)), "m", 3,
                Instant.parse("2026-01-01T00:00:00Z"), 20, Long.MAX_VALUE, Map.of());
        assertEquals(iris.rows(), s.trainingStats().eventsSeen());
        assertEquals(a.updates() + b.updates(), s.trainingStats().updates());
        Standardizer expected = all.current(LearnerSettings.DEFAULT.rowScaling());
        assertEquals(expected.rows(), s.preprocessing().rows(), "the learners' row scaling");
        assertArrayEquals(expected.mean(), s.preprocessing().mean(), 1e-12);
        assertArrayEquals(expected.std(), s.preprocessing().std(), 1e-12);
        assertEquals(3, s.classes().size());
        assertTrue(s.exemplars().size() <= 60);
        assertEquals("2", s.hyperparameters().extra().get("lineages"));
        assertEquals(s, SnapshotCodec.decode(SnapshotCodec.encode(s)));
    }

    @Test
    void oneLineagePublishesItsOwnMetric() {
        CsvDataset wine = CsvDataset.readResource("wine");
        StreamingLearner a = new StreamingLearner(LearnerSettings.DEFAULT, wine.featureCount());
        for (int i = 0; i < wine.rows(); i++) {
            a.testThenTrain(wine.row(i), wine.label(i), i);
        }
        MetricSnapshot s = ModelMerger.merge(List.of(new WorkerModel(7, SettingsRace.of(a), Double.NaN)), "m", 1, Instant.now(), 50, Long.MAX_VALUE,
                Map.of());
        assertEquals(a.publishedMetric(), s.metric());
        assertEquals(a.publishedMetric().equals(a.metric()) ? "learned" : "euclidean",
                s.hyperparameters().extra().get("metric"));
        assertEquals(a.prequentialAccuracy(), s.trainingStats().prequentialAccuracy(), 1e-12);
        assertEquals(ExemplarStatistics.CALIBRATION_POINTS, s.trainingStats().anomalyCalibration().length);
        assertTrue(s.race().isEmpty(), "a learner that did not race publishes no race section");
    }

    @Test
    void workersRacesAreCombinedAndTheSnapshotCarriesTheWinnersSettingsAndStandings() {
        CsvDataset wine = CsvDataset.readResource("wine");
        RaceSettings settings = RaceSettings.around(LearnerSettings.DEFAULT, 4, 40, 0.5, 0.05);
        SettingsRace a = new SettingsRace(settings, wine.featureCount());
        SettingsRace b = new SettingsRace(settings, wine.featureCount());
        long t = 0;
        for (int repeat = 0; repeat < 2; repeat++) {
            for (int i = 0; i < wine.rows(); i++) {
                (i % 2 == 0 ? a : b).testThenTrain(wine.row(i), wine.label(i), t++);
            }
        }
        MetricSnapshot s = ModelMerger.merge(List.of(new WorkerModel(1, a, Double.NaN), new WorkerModel(2, b, Double.NaN)),
                "m", 1, Instant.now(), 50, Long.MAX_VALUE, Map.of());
        RaceStandings race = s.race().orElseThrow();
        assertEquals(4, race.candidates().size());
        // The winner: the best combined (event-weighted) score among the candidates alive in some worker.
        int best = -1;
        double bestScore = -1;
        for (int c = 0; c < 4; c++) {
            SettingsRace.Standing x = a.standings().get(c);
            SettingsRace.Standing y = b.standings().get(c);
            if (!x.alive() && !y.alive()) {
                continue;
            }
            double score = (double) (x.correct() + y.correct()) / (x.tested() + y.tested())
                    + 0.5 * (x.certifyTested() + y.certifyTested() == 0 ? 0
                    : (double) (x.certifiedCorrect() + y.certifiedCorrect()) / (x.certifyTested() + y.certifyTested()));
            assertEquals(score, race.candidates().get(c).score(), 1e-12);
            if (score > bestScore) {
                bestScore = score;
                best = c;
            }
        }
        assertEquals(best, race.leader());
        LearnerSettings won = settings.candidates().get(best);
        assertEquals(won.learningRate(), s.hyperparameters().learningRate());
        assertEquals(won.lambda(), s.hyperparameters().lambda());
        assertEquals(2L * wine.rows(), s.trainingStats().eventsSeen(), "every worker's events count");
        long updates = a.candidate(won).map(StreamingLearner::updates).orElse(0L)
                + b.candidate(won).map(StreamingLearner::updates).orElse(0L);
        assertEquals(updates, s.trainingStats().updates(), "updates of the winner's learners");
        assertEquals(s, SnapshotCodec.decode(SnapshotCodec.encode(s)));
    }

    /**
     * Two workers race the row scalings on a stream whose classes differ only in magnitude (shells of radius 1 and 3):
     * unit norm cannot tell them apart, so the merged snapshot carries the scaled rows, in its preprocessing, its
     * race's leader and its exemplars.
     */
    @Test
    void theRaceOfRowScalingsPublishesTheWinnersScaling() {
        int p = 4;
        RaceSettings settings = RaceSettings.off(LearnerSettings.DEFAULT.withRows(RowScaling.UNIT_NORM)).withRowsRace(100);
        SettingsRace a = new SettingsRace(settings, p);
        SettingsRace b = new SettingsRace(settings, p);
        java.util.Random rnd = new java.util.Random(5);
        for (int e = 0; e < 600; e++) {
            int label = rnd.nextInt(2);
            double[] x = new double[p];
            double n = 0;
            for (int f = 0; f < p; f++) {
                x[f] = rnd.nextGaussian();
                n += x[f] * x[f];
            }
            double r = (label == 0 ? 1 : 3) / Math.sqrt(n);
            for (int f = 0; f < p; f++) {
                x[f] *= r;
            }
            (e % 2 == 0 ? a : b).testThenTrain(x, "c" + label, e);
        }
        assertTrue(a.decided() && b.decided());
        MetricSnapshot s = ModelMerger.merge(List.of(new WorkerModel(1, a, Double.NaN), new WorkerModel(2, b, Double.NaN)),
                "m", 1, Instant.now(), 50, Long.MAX_VALUE, Map.of());
        assertEquals(RowScaling.SCALED, s.preprocessing().rows());
        RaceStandings race = s.race().orElseThrow();
        assertEquals(List.of(RowScaling.UNIT_NORM, RowScaling.SCALED),
                race.candidates().stream().map(RaceStandings.Candidate::rows).toList());
        assertEquals(RowScaling.SCALED, race.leaderCandidate().rows());
        double shortest = Double.POSITIVE_INFINITY;
        double longest = 0;
        for (Exemplar e : s.exemplars()) {
            double n2 = 0;
            for (double v : e.features()) {
                n2 += v * v;
            }
            shortest = Math.min(shortest, n2);
            longest = Math.max(longest, n2);
        }
        assertTrue(longest > 4 * shortest, "the exemplars keep their magnitude: " + shortest + " to " + longest);
        assertEquals(s, SnapshotCodec.decode(SnapshotCodec.encode(s)));
    }

    @Test
    void aReplayedStreamGivesDistinctExemplarsAndAPositiveCalibration() {
        CsvDataset wine = CsvDataset.readResource("wine");
        StreamingLearner a = new StreamingLearner(LearnerSettings.DEFAULT, wine.featureCount());
        long t = 0;
        for (int repeat = 0; repeat < 5; repeat++) {
            for (int i = 0; i < 60; i++) {
                a.testThenTrain(wine.row(i), wine.label(i), t++);
            }
        }
        MetricSnapshot s = ModelMerger.merge(List.of(new WorkerModel(7, SettingsRace.of(a), Double.NaN)), "m", 1, Instant.now(), 50, Long.MAX_VALUE,
                Map.of());
        java.util.Set<java.util.List<Double>> distinct = new java.util.HashSet<>();
        for (var e : s.exemplars()) {
            distinct.add(java.util.Arrays.stream(e.features()).boxed().toList());
        }
        assertEquals(s.exemplars().size(), distinct.size(), "no exemplar twice");
        assertTrue(s.trainingStats().anomalyCalibration()[1] > 0, "calibration is not dominated by zero distances");
    }

    /**
     * Vehicle's classes (about 210 rows each) exceed the window (100): the window alone gives at most 100 exemplars a
     * class; with the lineages' memories merged, every distinct training row of the stream is an exemplar.
     */
    @Test
    void exemplarsBeyondTheWindowComeFromTheLineagesMemories() {
        CsvDataset vehicle = CsvDataset.readResource("vehicle");
        int p = vehicle.featureCount();
        WorkerModel[] lineages = new WorkerModel[2];
        for (int w = 0; w < 2; w++) {
            lineages[w] = new WorkerModel(w + 1, SettingsRace.of(new StreamingLearner(LearnerSettings.DEFAULT, p)),
                    Double.NaN, new ExemplarReservoir(1000, p));
        }
        java.util.Set<java.util.List<Double>> rows = new java.util.HashSet<>();
        for (int i = 0; i < vehicle.rows(); i++) {
            WorkerModel m = lineages[i % 2];
            m.race().testThenTrain(vehicle.row(i), vehicle.label(i), i);
            m.remember(vehicle.row(i), vehicle.label(i), i);
            rows.add(java.util.Arrays.stream(vehicle.row(i)).boxed().toList());
        }
        MetricSnapshot withMemory = ModelMerger.merge(List.of(lineages), "m", 1, Instant.now(), 1000, Long.MAX_VALUE, Map.of());
        assertEquals(rows.size(), withMemory.exemplars().size());
        assertEquals("1000", withMemory.hyperparameters().extra().get("exemplars-per-class"));
        MetricSnapshot capped = ModelMerger.merge(List.of(lineages), "m", 1, Instant.now(), 150, Long.MAX_VALUE, Map.of());
        assertEquals(4 * 150, capped.exemplars().size());
        assertEquals(150, capped.hyperparameters().windowPerClass());
        // 150 exemplars a class of 18 features take 4 x 150 x 18 x 32 / 3 bytes of base64; at least the window fits.
        MetricSnapshot byBytes = ModelMerger.merge(List.of(lineages), "m", 1, Instant.now(), 1000, 4 * 150 * 18 * 32 / 3,
                Map.of());
        assertEquals(4 * 150, byBytes.exemplars().size());
        assertEquals(4 * 100, ModelMerger.merge(List.of(lineages), "m", 1, Instant.now(), 1000, 1000, Map.of())
                .exemplars().size());
        MetricSnapshot windowOnly = ModelMerger.merge(List.of(new WorkerModel(1, lineages[0].race(), Double.NaN),
                new WorkerModel(2, lineages[1].race(), Double.NaN)), "m", 1, Instant.now(), 1000, Long.MAX_VALUE, Map.of());
        assertEquals(4 * 100, windowOnly.exemplars().size());
        // Each class lists the window's entries first, as without memory.
        for (String c : vehicle.classes()) {
            List<Exemplar> window = windowOnly.exemplars().stream().filter(e -> e.label().equals(c)).toList();
            List<Exemplar> all = withMemory.exemplars().stream().filter(e -> e.label().equals(c)).toList();
            assertEquals(window, all.subList(0, window.size()), c);
        }
    }

    /** With a time-bounded window, the memory serves only events as recent as the window's. */
    @Test
    void theWindowsTimeBoundHoldsForTheMemory() {
        CsvDataset vehicle = CsvDataset.readResource("vehicle");
        int p = vehicle.featureCount();
        LearnerSettings d = LearnerSettings.DEFAULT;
        long millis = 200;
        LearnerSettings bounded = new LearnerSettings(d.k(), d.impostors(), d.mu(), d.lambda(), d.tau(), d.rank(),
                d.windowPerClass(), millis, d.batchSize(), d.stepRule(), d.learningRate(), d.certifyEvery(),
                d.averageSteps(), d.driftDetector(), d.driftThreshold(), d.guardRadius(), d.kRace(), d.memoryPerClass(), d.memoryBudget(), d.rows());
        WorkerModel m = new WorkerModel(1, SettingsRace.of(new StreamingLearner(bounded, p)), Double.NaN,
                new ExemplarReservoir(1000, p));
        java.util.Set<java.util.List<Double>> recent = new java.util.HashSet<>();
        int n = vehicle.rows();
        for (int i = 0; i < n; i++) {
            m.race().testThenTrain(vehicle.row(i), vehicle.label(i), i);
            m.remember(vehicle.row(i), vehicle.label(i), i);
            if (i >= n - 1 - millis) {
                recent.add(java.util.Arrays.stream(vehicle.row(i)).boxed().toList());
            }
        }
        assertEquals(n, m.memory().size());
        MetricSnapshot s = ModelMerger.merge(List.of(m), "m", 1, Instant.now(), 1000, Long.MAX_VALUE, Map.of());
        assertEquals(recent.size(), s.exemplars().size());
    }
}
