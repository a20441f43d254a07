package dev.certmetric.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.certmetric.data.CsvDataset;
import dev.certmetric.train.LearnerSettings;
import dev.certmetric.train.SettingsRace;
import dev.certmetric.train.StreamingLearner;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PrequentialTest {
    /** Two Gaussian classes, means +-1.2 on the first two of four features (Bayes accuracy about 0.95). */
    static CsvDataset twoGaussians(int n, long seed) throws IOException {
        Random rnd = new Random(seed);
        StringBuilder csv = new StringBuilder("a,b,c,d,label\n");
        for (int i = 0; i < n; i++) {
            boolean pos = rnd.nextBoolean();
            double m = pos ? 1.2 : -1.2;
            csv.append(String.format(Locale.ROOT, "%f,%f,%f,%f,%s%n", m + rnd.nextGaussian(), m + rnd.nextGaussian(),
                    rnd.nextGaussian(), rnd.nextGaussian(), pos ? "pos" : "neg"));
        }
        return CsvDataset.parse("gauss.csv", new StringReader(csv.toString()));
    }

    @Test
    void learnsAStreamAndReportsAccuracyKappaAndCurveOfTheSamePredictions() throws IOException {
        CsvDataset data = twoGaussians(1000, 7);
        LearnerSettings settings = LearnerSettings.DEFAULT;
        List<Long> reported = new ArrayList<>();
        PrequentialResult r = Prequential.run(data, p -> SettingsRace.of(new StreamingLearner(settings, p)),
                (done, total, accuracy, seconds) -> reported.add(done));

        // The same learner driven by hand: its predictions, brute-force kappa over classes + "none".
        StreamingLearner learner = new StreamingLearner(settings, data.featureCount());
        Map<String, Map<String, Integer>> confusion = new HashMap<>();
        int correct = 0;
        int[] window = new int[100];
        for (int i = 0; i < data.rows(); i++) {
            StreamingLearner.Outcome o = learner.testThenTrain(data.row(i), data.label(i), i);
            String predicted = o.predicted() == null ? "none" : o.predicted();
            confusion.computeIfAbsent(data.label(i), t -> new HashMap<>()).merge(predicted, 1, Integer::sum);
            if (predicted.equals(data.label(i))) {
                correct++;
                window[i / 10]++;
            }
        }
        double n = data.rows();
        double po = correct / n;
        double pe = 0;
        for (String c : List.of("pos", "neg", "none")) {
            double truth = confusion.getOrDefault(c, Map.of()).values().stream().mapToInt(Integer::intValue).sum();
            double predicted = confusion.values().stream().mapToInt(row -> row.getOrDefault(c, 0)).sum();
            pe += truth / n * predicted / n;
        }
        assertEquals(po, r.accuracy(), 1e-12);
        assertEquals((po - pe) / (1 - pe), r.kappa(), 1e-12);
        assertTrue(r.accuracy() > 0.85, "accuracy " + r.accuracy());
        assertTrue(r.kappa() > 0.7, "kappa " + r.kappa());

        assertEquals(100, r.curve().size());
        for (int k = 0; k < 100; k++) {
            PrequentialResult.Point point = r.curve().get(k);
            assertEquals(10L * (k + 1), point.events());
            assertEquals(window[k] / 10.0, point.accuracy(), 1e-12, "window " + k);
        }
        assertEquals(r.accuracy(), r.curve().get(99).runningAccuracy(), 1e-12);
        assertEquals(r.curve().stream().map(PrequentialResult.Point::events).toList(), reported);
        assertEquals(settings, r.settings());
        assertEquals(new PrequentialResult.Chosen(learner.voteK(), learner.voteDepth(), learner.rank(),
                learner.standardizer().rows(),
                StreamingLearner.publishesEuclidean(List.of(learner)), learner.counters().drifts()), r.chosen());
        assertEquals(1000, r.events());
        assertEquals(4, r.features());
        assertEquals(2, r.classes());
        assertTrue(r.eventsPerSecond() > 0);
    }

    @Test
    void certifiedAccuracyIsTheFractionOfCertifiedEventsRightAndFarEnough() throws IOException {
        CsvDataset data = twoGaussians(300, 3);
        LearnerSettings every = LearnerSettings.DEFAULT.withCertifyEvery(1);
        PrequentialResult r = Prequential.run(data, p -> SettingsRace.of(new StreamingLearner(every, p)), (d, t, a, s) -> { });

        StreamingLearner learner = new StreamingLearner(every, data.featureCount());
        int sample = 0;
        int[] certified = new int[Prequential.RADII.size()];
        for (int i = 0; i < data.rows(); i++) {
            StreamingLearner.Outcome o = learner.testThenTrain(data.row(i), data.label(i), i);
            if (o.tested()) {
                sample++;
                for (int k = 0; k < certified.length; k++) {
                    certified[k] += o.correct() && o.certifiedRadius() >= Prequential.RADII.get(k) ? 1 : 0;
                }
            }
        }
        assertEquals(sample, r.certifiedSample());
        assertTrue(sample > 290, "with certify-every 1 every tested event is certified: " + sample);
        for (int k = 0; k < certified.length; k++) {
            assertEquals((double) certified[k] / sample, r.certified()[k], 1e-12);
        }
        assertTrue(r.certified()[0] > 0.3 && r.certified()[0] <= r.accuracy() * data.rows() / sample + 1e-12);
        assertTrue(r.certified()[1] <= r.certified()[0]);

        LearnerSettings never = LearnerSettings.DEFAULT.withCertifyEvery(0);
        PrequentialResult none = Prequential.run(data, p -> SettingsRace.of(new StreamingLearner(never, p)), (d, t, a, s) -> { });
        assertEquals(0, none.certifiedSample());
        assertTrue(Double.isNaN(none.certified()[0]));
    }

    @Test
    void curveHasOnePointPerEventWhenThereAreFewerThanAHundred() throws IOException {
        CsvDataset data = twoGaussians(40, 5);
        PrequentialResult r = Prequential.run(data, p -> SettingsRace.of(new StreamingLearner(LearnerSettings.DEFAULT, p)),
                (d, t, a, s) -> { });
        assertEquals(40, r.curve().size());
        assertEquals(40, r.curve().get(39).events());
    }

    @Test
    void kappaCountsMissingPredictionsAsAClassOfTheirOwn() {
        // truths a a b b, predictions a b b none: p_o = 1/2, p_e = (2*1 + 2*2) / 16
        assertEquals((0.5 - 0.375) / (1 - 0.375), Prequential.kappa(2, 4, new long[] {2, 2}, new long[] {1, 2}), 1e-12);
        assertEquals(1, Prequential.kappa(4, 4, new long[] {2, 2}, new long[] {2, 2}), 1e-12);
    }
}
